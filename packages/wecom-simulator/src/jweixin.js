/* The simulator's stand-in for WeCom's jweixin-1.2.0.js: the same `wx` surface (config, agentConfig,
 * invoke, ready, error), answered by the simulated client around the page (/sidebar-host) through
 * postMessage. Outside that host every call fails the way the real SDK does outside WeCom. */
(() => {
  var pending = {};
  var seq = 0;
  var readyFns = [];
  var errorFns = [];
  var state = 'idle'; // idle | ready | error
  var lastError = null;
  var inHost = window.parent && window.parent !== window;

  window.addEventListener('message', (e) => {
    var d = e.data;
    if (d?.__wxsim !== 1 || d.reply !== true || e.source !== window.parent) return;
    var cb = pending[d.id];
    if (!cb) return;
    delete pending[d.id];
    cb(d.res);
  });

  function call(api, args, cb) {
    if (!inHost) {
      const res = { errMsg: `${api}:fail not in wxwork` };
      res.err_msg = res.errMsg;
      setTimeout(() => {
        cb(res);
      }, 0);
      return;
    }
    var id = ++seq;
    pending[id] = (res) => {
      res.err_msg = res.errMsg;
      cb(res);
    };
    window.parent.postMessage(
      { __wxsim: 1, id: id, api: api, args: args || {}, url: location.href.split('#')[0] },
      '*',
    );
  }

  function okOf(res, api) {
    return res && res.errMsg === `${api}:ok`;
  }

  window.wx = {
    config: (cfg) => {
      call('config', cfg, (res) => {
        if (okOf(res, 'config')) {
          state = 'ready';
          readyFns.splice(0).forEach((f) => {
            f();
          });
        } else {
          state = 'error';
          lastError = res;
          errorFns.forEach((f) => {
            f(res);
          });
        }
      });
    },
    ready: (fn) => {
      if (state === 'ready') fn();
      else readyFns.push(fn);
    },
    error: (fn) => {
      if (state === 'error') fn(lastError);
      else errorFns.push(fn);
    },
    agentConfig: (cfg) => {
      var args = {
        corpid: cfg.corpid,
        agentid: cfg.agentid,
        timestamp: cfg.timestamp,
        nonceStr: cfg.nonceStr,
        signature: cfg.signature,
        jsApiList: cfg.jsApiList,
      };
      call('agentConfig', args, (res) => {
        if (okOf(res, 'agentConfig')) cfg.success?.(res);
        else cfg.fail?.(res);
        cfg.complete?.(res);
      });
    },
    invoke: (api, args, cb) => {
      call(api, args, (res) => {
        cb?.(res);
      });
    },
    checkJsApi: (o) => {
      var r = {};
      (o.jsApiList || []).forEach((n) => {
        r[n] = inHost;
      });
      setTimeout(() => {
        o.success?.({ checkResult: r, errMsg: 'checkJsApi:ok' });
      }, 0);
    },
  };
})();

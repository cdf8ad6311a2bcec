/**
 * The reader page's only script (served from /m/reader.js: the CSP allows no inline script).
 * Heartbeats while the page is visible, a final one when it is hidden; forward and lead form.
 */
export const READER_JS = `(function () {
  var b = document.body, token = b.dataset.token, v = b.dataset.visitor;
  if (!token || !v) return;
  var seq = 0, visibleSince = document.visibilityState === 'visible' ? Date.now() : 0, pending = 0;
  function beat(end) {
    if (visibleSince) { pending += Date.now() - visibleSince; visibleSince = end ? 0 : Date.now(); }
    var s = Math.min(60, Math.round(pending / 1000));
    if (!s && !end) return;
    pending = Math.max(0, pending - s * 1000);
    var body = JSON.stringify({ v: v, seq: ++seq, seconds: s, end: !!end });
    var url = '/m/' + token + '/beat';
    if (navigator.sendBeacon && navigator.sendBeacon(url, new Blob([body], { type: 'application/json' }))) return;
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body, keepalive: true });
  }
  setInterval(function () { if (document.visibilityState === 'visible') beat(false); }, 15000);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') beat(true); else visibleSince = Date.now();
  });
  window.addEventListener('pagehide', function () { if (visibleSince) beat(true); });
  var fwd = document.getElementById('forward');
  if (fwd) fwd.addEventListener('click', function () {
    fetch('/m/' + token + '/forward', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ v: v }) })
      .then(function (r) { return r.json(); })
      .then(function (r) {
        var out = document.getElementById('forward-link');
        out.textContent = r.url; out.hidden = false;
        if (navigator.share) navigator.share({ title: document.title, url: r.url }).catch(function () {});
        else if (navigator.clipboard) navigator.clipboard.writeText(r.url).catch(function () {});
      });
  });
  var form = document.getElementById('lead');
  if (form) form.addEventListener('submit', function (e) {
    e.preventDefault();
    var msg = document.getElementById('lead-msg');
    var body = { v: v, name: form.name.value || undefined, phone: form.phone.value, consent: form.consent.checked };
    fetch('/m/' + token + '/lead', { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': 'zh-CN' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
      .then(function (r) {
        if (r.ok) { form.hidden = true; msg.textContent = msg.dataset.ok; }
        else msg.textContent = ((r.j.errors || [])[0] || {}).message || r.j.detail || r.j.title;
      });
  });
})();`;

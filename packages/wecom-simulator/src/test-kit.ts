// Shared set-up for the simulator's own tests: a simulator, a receiver, a corp and a WeCom API client.
import assert from 'node:assert/strict';
import { startWeComSimulator } from './index.ts';
import type { SimCorp, SimulatorOptions, WeComSimulator } from './simulator.ts';
import { type Receiver, startReceiver } from './test-receiver.ts';

export interface Kit {
  sim: WeComSimulator;
  rx: Receiver;
  corp(extra?: Partial<Parameters<WeComSimulator['addCorp']>[0]>): SimCorp;
  token(c: SimCorp, secret?: string): Promise<string>;
  api(path: string, token: string | undefined, body?: unknown, query?: Record<string, string>): Promise<any>;
  close(): Promise<void>;
}

let n = 0;

export async function kit(opts: SimulatorOptions = {}): Promise<Kit> {
  const sim = await startWeComSimulator({ callbackRetryDelayMs: 0, callbackTimeoutMs: 1000, ...opts });
  const rx = await startReceiver();
  const api: Kit['api'] = async (path, token, body, query = {}) => {
    const u = new URL(`${sim.url}/cgi-bin/${path}`);
    if (token) u.searchParams.set('access_token', token);
    for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
    const res = await fetch(u, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
    assert.equal(res.status, 200);
    return res.json();
  };
  return {
    sim,
    rx,
    api,
    corp: (extra = {}) =>
      sim.addCorp({
        corpId: `wwkit${process.pid}x${++n}`,
        contactSecret: 'contact-secret',
        appSecret: 'app-secret',
        callback: { url: rx.url, token: rx.token, encodingAESKey: rx.encodingAESKey },
        staff: [
          { userid: 'zhao.jing', name: '赵静' },
          { userid: 'sun.lei', name: '孙磊' },
          { userid: 'xu.ming', name: '徐明' },
        ],
        ...extra,
      }),
    token: async (c, secret = 'contact-secret') => {
      const r = await api('gettoken', undefined, undefined, { corpid: c.corpId, corpsecret: secret });
      assert.equal(r.errcode, 0, r.errmsg);
      return r.access_token;
    },
    close: async () => {
      await sim.close();
      await rx.close();
    },
  };
}

/** Checks a WeCom answer and returns it. */
export function ok<T extends { errcode: number; errmsg?: string }>(r: T): T {
  assert.equal(r.errcode, 0, r.errmsg);
  return r;
}

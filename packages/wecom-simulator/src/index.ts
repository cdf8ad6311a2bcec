// @kehu/wecom-simulator: a protocol-faithful stand-in for WeCom (企业微信), for Kehu's tests, benchmarks
// and demo. It imports nothing from Kehu: it plays an external service. See README.md for the API.
import { type SimulatorOptions, WeComSimulator } from './simulator.ts';

export type { CallbackLogEntry, CallbackTarget } from './callbacks.ts';
export { decrypt, encrypt, eventXml, parseFlatXml, sealCallback, signature } from './crypto.ts';
export { DEMO_CORP_ID, DEMO_STAFF, startDemoCorp } from './demo.ts';
export type { ChatMessage, SimWeChatUser, StaffInput } from './model.ts';
export { SimCorp, type SimulatorOptions, WeComSimulator } from './simulator.ts';

export async function startWeComSimulator(opts: SimulatorOptions = {}): Promise<WeComSimulator> {
  const sim = new WeComSimulator(opts);
  await sim.listen(opts.host ?? '127.0.0.1', opts.port ?? 0);
  return sim;
}

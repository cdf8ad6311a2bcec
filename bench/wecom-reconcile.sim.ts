/**
 * The WeCom simulator of bench/wecom-reconcile.bench.ts in a process of its own, as WeCom is in
 * production: run in the benchmark's process, building and serialising its 100-contact pages took
 * turns with Kehu on one event loop and the walk measured the simulator as much as Kehu. The parent
 * drives it over the IPC channel: { id, op, args } → { id, result } or { id, error }.
 */
import { type SimCorp, startWeComSimulator } from '../packages/wecom-simulator/src/index.ts';

const sim = await startWeComSimulator({ seed: Number(process.argv[2] ?? 12) });
const corps = new Map<string, SimCorp>();

const ops: Record<string, (...args: any[]) => unknown> = {
  addCorp: (c: { corpId: string; contactSecret: string; staff: Array<{ userid: string; name: string }> }) => {
    corps.set(c.corpId, sim.addCorp(c));
    return null;
  },
  seedContacts: (corpId: string, n: number, userids: string[]) => corps.get(corpId)!.seedContacts(n, userids),
  apiCalls: (corpId: string, api: string) => corps.get(corpId)!.apiCalls(api),
  close: async () => {
    await sim.close();
    setImmediate(() => process.exit(0));
    return null;
  },
};

process.on('message', async (m: { id: number; op: string; args: unknown[] }) => {
  try {
    process.send!({ id: m.id, result: await ops[m.op]!(...m.args) });
  } catch (e) {
    process.send!({ id: m.id, error: String((e as Error).message) });
  }
});
process.send!({ ready: sim.url });

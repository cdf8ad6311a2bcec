/**
 * WeCom reconciliation (issue 10, reliability): the nightly full walk of 100k external contacts across
 * 50 staff members, compared with the least time WeCom's documented rate limits allow for the calls
 * the walk makes.
 *
 * Method. WeCom limits each API to 10,000 calls per minute per corp (and 150,000 per hour); the limits
 * are per API, so calls to different APIs do not wait for each other. The bound is therefore
 *   max over APIs of (calls made to that API) / 10,000 per minute
 * — for 100k contacts on 50 staff: one batch of 50 userids, cursor pages of 100 → 1,000
 * `batch/get_by_user` calls → 6 s. Target: the walk takes at most 1.5 × that bound.
 * 1. The simulator's enforcement is checked first, on a separate simulator with a small limit (100/min):
 *    the 101st call of one API in a minute gets 45009, another API still answers, and the next
 *    minute (simulator clock moved on with advanceTime, not waited for) answers again. The main run
 *    uses the documented 10,000/min and 150,000/h in real time — the walk needs fewer calls than
 *    one minute's allowance, so no scaled clock is needed and none is used.
 * 2. Kehu already knows all but `--missing` relationships (lost callbacks, default 100 = 0.1 %),
 *    inserted in bulk; the walk reads every page, compares and repairs the missing ones through the
 *    same idempotent add a callback runs (CRM contact, lead, profile identity). The reconcile job runs
 *    in process on PostgreSQL with a job context, as the worker would run it.
 * 3. A rerun must add nothing (idempotence); the light run (ids only) is reported for comparison.
 * The simulator runs in a child process (wecom-reconcile.sim.ts), as WeCom is never in Kehu's process:
 * in the same event loop its page building was measured as Kehu's time.
 *
 *   node bench/wecom-reconcile.bench.ts [--contacts 100000] [--staff 50] [--missing 100]
 */
import { startWeComSimulator } from '../packages/wecom-simulator/src/index.ts';
import {
  args,
  DEMO_PASSWORD,
  ensureDatabase,
  fmt,
  freePort,
  int,
  pgVersion,
  printTable,
  signIn,
  writeResult,
} from './lib.ts';

export const wecomReconcileOptions = (argv?: string[]) =>
  args(
    {
      contacts: { type: 'string', default: '100000' },
      staff: { type: 'string', default: '50' },
      missing: { type: 'string', default: '100' },
    },
    argv,
  );

export interface WecomReconcileResult {
  contacts: number;
  staff: number;
  missing: number;
  limitCheck: { allowed: number; refusedWith: number; otherApi: number; nextMinute: number };
  full: { ms: number; calls: Record<string, number>; boundMs: number; ratio: number; added: number };
  rerun: { ms: number; added: number };
  light: { ms: number; calls: Record<string, number>; boundMs: number; ratio: number };
}

const PER_MINUTE = 10_000;

/** The simulator in its own process (wecom-reconcile.sim.ts): WeCom is not in Kehu's event loop either. */
async function simulatorProcess(seed: number) {
  const { fork } = await import('node:child_process');
  const child = fork(new URL('./wecom-reconcile.sim.ts', import.meta.url), [String(seed)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 0;
  const url = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (m: any) => {
      if (m.ready) return resolve(m.ready);
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error) w?.reject(new Error(m.error));
      else w?.resolve(m.result);
    });
  });
  const call = (op: string, ...args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      child.send({ id, op, args });
    });
  return { url, call, close: () => call('close') };
}
const boundMs = (calls: Record<string, number>) =>
  (Math.max(0, ...Object.values(calls)) / PER_MINUTE) * 60_000;

async function checkSimulatorLimit() {
  const sim = await startWeComSimulator({ seed: 5, rateLimits: { perMinute: 100, perHour: 1000 } });
  try {
    const corp = sim.addCorp({
      corpId: 'wwlimit',
      contactSecret: 'limit',
      staff: [{ userid: 'a', name: 'A' }],
    });
    corp.seedContacts(1, ['a']);
    const token = (await (await fetch(`${sim.url}/cgi-bin/gettoken?corpid=wwlimit&corpsecret=limit`)).json())
      .access_token as string;
    const call = async (api: string) =>
      Number(
        (
          await (
            await fetch(`${sim.url}/cgi-bin/externalcontact/${api}?access_token=${token}&userid=a`)
          ).json()
        ).errcode ?? 0,
      );
    let allowed = 0;
    for (let i = 0; i < 100; i++) if ((await call('list')) === 0) allowed++;
    const refusedWith = await call('list');
    const otherApi = await call('get_follow_user_list');
    await sim.advanceTime(60_000);
    const nextMinute = await call('list');
    if (allowed !== 100 || refusedWith !== 45009 || otherApi !== 0 || nextMinute !== 0)
      throw new Error(
        `simulator limit not faithful: ${JSON.stringify({ allowed, refusedWith, otherApi, nextMinute })}`,
      );
    return { allowed, refusedWith, otherApi, nextMinute };
  } finally {
    await sim.close();
  }
}

export async function runWecomReconcile(
  o: NonNullable<ReturnType<typeof wecomReconcileOptions>>,
): Promise<WecomReconcileResult> {
  const CONTACTS = int(o.contacts as string, 'contacts');
  const STAFF = int(o.staff as string, 'staff');
  const MISSING = Math.min(CONTACTS, int(o.missing as string, 'missing'));
  const limitCheck = await checkSimulatorLimit();

  const { sql } = await import('kysely');
  const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
  const { runKehu } = await import('../apps/server/src/app.ts');
  const { loadConfig } = await import('../apps/server/src/core/config.ts');
  const { inTenant } = await import('../apps/server/src/core/db/tenant-scope.ts');
  const { newId } = await import('../apps/server/src/core/ids.ts');
  const { seedDemoTenant } = await import('../apps/server/src/seed/demo-data.ts');
  const { reconcileJob, bindReconcileDatabase } = await import(
    '../apps/server/src/modules/wecom/reconcile.job.ts'
  );

  const url = await ensureDatabase(process.env.BENCH_WECOM_DB ?? 'kehu_bench_wecom');
  const sim = await simulatorProcess(12);
  process.env.KEHU_OUTBOUND_ALLOW = new URL(sim.url).host;
  const port = await freePort();
  const database = await openDatabase({ url, poolSize: 8 });
  // API only: no worker, so nothing but the measured run touches the corp.
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: url,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    KEHU_SEED_DEMO: 'false',
  });
  const kehu = await runKehu(config, { role: 'api', database });
  bindReconcileDatabase(database);
  const base = `http://127.0.0.1:${port}`;
  const slug = `wrec${Date.now().toString(36)}`;
  const seed = await seedDemoTenant(database, { slug, customers: 0, password: DEMO_PASSWORD });
  const session = await signIn(base, slug, 'admin');
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  const tx = <T>(fn: (t: any) => Promise<T>) => inTenant(database.db, seed.tenantId, fn);
  const hq = await tx(
    async (t) => (await sql<{ id: string }>`select id from units where code = 'HQ'`.execute(t)).rows[0]!.id,
  );
  const corpId = `wwrec${Date.now().toString(36)}`;
  const corp = await api('POST', '/wecom/corps', {
    name: 'bench',
    unitId: hq,
    corpId,
    contactSecret: 'bench-secret',
    baseUrl: sim.url,
  });
  const userids = Array.from({ length: STAFF }, (_, i) => `staff${String(i + 1).padStart(3, '0')}`);
  await sim.call('addCorp', {
    corpId,
    contactSecret: 'bench-secret',
    staff: userids.map((u, i) => ({ userid: u, name: `员工${i + 1}` })),
  });
  const simCorp = {
    seedContacts: (n: number, u: string[]) => sim.call('seedContacts', corpId, n, u) as Promise<string[]>,
    apiCalls: (api: string) => sim.call('apiCalls', corpId, api) as Promise<number>,
  };
  await api('POST', `/wecom/corps/${corp.id}/staff/sync`, {});
  let t0 = performance.now();
  const exts = await simCorp.seedContacts(CONTACTS, userids);
  console.log(`simulator: ${exts.length} contacts in ${fmt(performance.now() - t0, 0)} ms`);

  // Every relationship but the last MISSING is already in Kehu (their callbacks arrived).
  t0 = performance.now();
  const known = exts.length - MISSING;
  for (let i = 0; i < known; i += 10_000) {
    const slice = exts.slice(i, Math.min(known, i + 10_000));
    const owners = slice.map((_, j) => userids[(i + j) % STAFF]!);
    await tx((t) =>
      sql`insert into wecom_external_contacts (tenant_id, corp_ref, external_userid, userid, unit_id, name)
        select ${seed.tenantId}, ${corp.id}, e, u, ${hq}, '客户' from unnest(${slice}::text[], ${owners}::text[]) as x(e, u)
        on conflict do nothing`.execute(t),
    );
  }
  console.log(`kehu: ${known} known relationships inserted in ${fmt(performance.now() - t0, 0)} ms`);

  const relations = () =>
    tx(async (t) =>
      Number(
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from wecom_external_contacts where corp_ref = ${corp.id}`.execute(t)
        ).rows[0]!.n,
      ),
    );
  const APIS = [
    'externalcontact/batch/get_by_user',
    'externalcontact/groupchat/list',
    'externalcontact/list',
    'externalcontact/get',
    'gettoken',
  ];
  const run = async (mode: 'full' | 'light') => {
    const count = async () =>
      Object.fromEntries(await Promise.all(APIS.map(async (a) => [a, await simCorp.apiCalls(a)] as const)));
    const before = await count();
    const signal = new AbortController().signal;
    const t = performance.now();
    await reconcileJob(
      { corpRef: corp.id, mode, trigger: 'manual' },
      {
        db: database.db,
        tenantId: seed.tenantId,
        tx: (fn, opts) => inTenant(database.db, seed.tenantId, fn, opts),
        jobId: newId(),
        attempt: 1,
        heartbeat: async () => {},
        signal,
      },
    );
    const ms = performance.now() - t;
    const afterRun = await count();
    const calls = Object.fromEntries(
      APIS.map((a) => [a, afterRun[a]! - before[a]!]).filter(([, n]) => (n as number) > 0),
    );
    return { ms, calls, boundMs: boundMs(calls), ratio: ms / boundMs(calls) };
  };

  const beforeFull = await relations();
  const full = await run('full');
  const added = (await relations()) - beforeFull;
  if ((await relations()) !== exts.length)
    throw new Error(`expected ${exts.length} relationships, got ${await relations()}`);
  const r0 = await relations();
  const rerunRun = await run('full');
  const rerun = { ms: rerunRun.ms, added: (await relations()) - r0 };
  if (rerun.added !== 0) throw new Error(`rerun added ${rerun.added}`);
  const light = await run('light');

  printTable(
    `Reconciliation of ${exts.length} external contacts across ${STAFF} staff (${MISSING} missing)`,
    [
      {
        run: 'full (repairs)',
        ms: full.ms,
        'get_by_user calls': full.calls['externalcontact/batch/get_by_user'] ?? 0,
        'bound ms': full.boundMs,
        ratio: `${fmt(full.ratio, 2)}x`,
        added,
      },
      {
        run: 'full rerun',
        ms: rerun.ms,
        'get_by_user calls': rerunRun.calls['externalcontact/batch/get_by_user'] ?? 0,
        'bound ms': rerunRun.boundMs,
        ratio: `${fmt(rerunRun.ratio, 2)}x`,
        added: rerun.added,
      },
      {
        run: 'light (ids only)',
        ms: light.ms,
        'get_by_user calls': 0,
        'bound ms': light.boundMs,
        ratio: `${fmt(light.ratio, 2)}x`,
        added: 0,
      },
    ],
  );
  console.log(`calls (full): ${JSON.stringify(full.calls)}; (light): ${JSON.stringify(light.calls)}`);
  console.log(`full walk: ${fmt(full.ratio, 2)}x the rate-limit bound (target ≤ 1.5x)`);
  const result: WecomReconcileResult = {
    contacts: exts.length,
    staff: STAFF,
    missing: MISSING,
    limitCheck,
    full: { ...full, added },
    rerun,
    light,
  };
  console.log(`written ${writeResult('wecom-reconcile', { postgres: await pgVersion(), ...result })}`);
  await sim.close();
  await kehu.stop();
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = wecomReconcileOptions();
  if (o) {
    await runWecomReconcile(o);
    process.exit(0);
  }
}

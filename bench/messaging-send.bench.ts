/**
 * Messaging (issue 12): --messages sends through sendMessage (guards: consent, unsubscribes,
 * caps; render; the attempt row; the outbox; the delivery job) plus their delivery (the in_app
 * channel: a notification per message, status and events recorded), against a bare INSERT of the
 * same attempt rows, one statement per row in the same transactions of --batch. Both run under RLS
 * as the application role on the same database; the ratio is of medians over --rounds.
 *
 *   node bench/messaging-send.bench.ts [--messages 2000] [--batch 100] [--rounds 3]
 */
import {
  args,
  BENCH_DB,
  DEMO_PASSWORD,
  dbUrl,
  ensureDatabase,
  fmt,
  int,
  printTable,
  writeResult,
} from './lib.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const o = args({
  messages: { type: 'string', default: '2000' },
  batch: { type: 'string', default: '100' },
  rounds: { type: 'string', default: '3' },
});
if (o) {
  const n = Math.min(int(o.messages as string, 'messages'), 100_000);
  const batch = Math.max(1, int(o.batch as string, 'batch'));
  const rounds = Math.min(int(o.rounds as string, 'rounds'), 10);
  await ensureDatabase(BENCH_DB);
  const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
  const { migrateAll, registerModules } = await import('../apps/server/src/app.ts');
  const { inTenant } = await import('../apps/server/src/core/db/tenant-scope.ts');
  const { newId } = await import('../apps/server/src/core/ids.ts');
  const { runOneJob } = await import('../apps/server/src/core/jobs/queue.ts');
  const { sendMessage } = await import('../apps/server/src/modules/messaging/index.ts');
  const { sql } = await import('kysely');
  registerModules();
  const database = await openDatabase({ url: dbUrl(), poolSize: 4 });
  await migrateAll(database.db);
  const pool = database.pool!;
  const slug = 'messagingbench';
  let tenantId = (await pool.query<{ id: string }>('select id from tenants where slug = $1', [slug])).rows[0]
    ?.id;
  if (!tenantId) {
    const { seedDemoTenant } = await import('../apps/server/src/seed/demo-data.ts');
    tenantId = (await seedDemoTenant(database, { customers: 0, slug, password: DEMO_PASSWORD })).tenantId;
  }
  const owner = (
    await pool.query<{ id: string }>("select id from users where tenant_id = $1 and login = 'admin'", [
      tenantId,
    ])
  ).rows[0]!.id;
  await pool.query(
    `insert into cdp_profiles (tenant_id, id, canonical_id, traits)
     select $1, id, id, jsonb_build_object('name', '客户' || i) from (select gen_random_uuid() id, i from generate_series(1, $2) i) x
     where (select count(*) from cdp_profiles where tenant_id = $1) < $2`,
    [tenantId, n],
  );
  const profiles = (
    await pool.query<{ id: string }>(
      'select id from cdp_profiles where tenant_id = $1 order by id limit $2',
      [tenantId, n],
    )
  ).rows.map((r) => r.id);
  await pool.query("update messaging_settings set caps = '[]' where tenant_id = $1", [tenantId]);
  await pool.query(
    "insert into messaging_settings (tenant_id, caps) values ($1, '[]') on conflict do nothing",
    [tenantId],
  );
  const log = { info() {}, warn() {}, error() {} };
  const signal = new AbortController().signal;
  const send: number[] = [];
  const insert: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const run = newId();
    let t = performance.now();
    for (let i = 0; i < profiles.length; i += batch)
      await inTenant(database.db, tenantId!, async (tx) => {
        for (const profileId of profiles.slice(i, i + batch))
          await sendMessage(tx, tenantId!, {
            profileId,
            channel: 'in_app',
            purpose: 'service',
            content: { text: '{{name}}，您的订单已发货' },
            idempotencyKey: `${run}:${profileId}`,
            source: { kind: 'campaign', id: run },
            ownerUserId: owner,
          });
      });
    while (await runOneJob(database.db, 'bench', signal, log, tenantId)) {}
    send.push(performance.now() - t);
    t = performance.now();
    for (let i = 0; i < profiles.length; i += batch)
      await inTenant(database.db, tenantId!, async (tx) => {
        for (const profileId of profiles.slice(i, i + batch))
          await sql`insert into messaging_messages (tenant_id, id, idempotency_key, profile_id, channel, purpose,
              source_kind, source_id, status, body)
            values (${tenantId}, ${newId()}, ${`bare:${run}:${profileId}`}, ${profileId}, 'in_app', 'service', 'campaign',
              ${run}, 'queued', '您的订单已发货')`.execute(tx);
      });
    insert.push(performance.now() - t);
  }
  await pool.query('delete from messaging_messages where tenant_id = $1', [tenantId]);
  await pool.query('delete from notifications where tenant_id = $1', [tenantId]);
  await pool.query("delete from jobs where tenant_id = $1 and status = 'done'", [tenantId]);
  await database.close();
  const res = {
    messages: n,
    batch,
    sendAndDeliverMs: median(send),
    bareInsertMs: median(insert),
    ratio: median(send) / median(insert),
    perSecond: (n / median(send)) * 1000,
  };
  printTable(`messaging: ${n} in_app messages, batches of ${batch} (median of ${rounds})`, [
    { what: 'sendMessage + delivery (in_app)', ms: fmt(res.sendAndDeliverMs, 0) },
    { what: 'bare INSERT of the attempt rows', ms: fmt(res.bareInsertMs, 0) },
    { what: 'ratio', ms: fmt(res.ratio, 1) },
    { what: 'messages / s', ms: fmt(res.perSecond, 0) },
  ]);
  writeResult('messaging-send', res);
  process.exit(0);
}

/**
 * Messaging email (issue 12): --messages emails through the whole path — sendMessage (guards, render,
 * attempt row, outbox, job), then the delivery job (at-most-once marker committed, links tracked,
 * HTML layout, SMTP with the tenant's vetted account) — to a local SMTP server (the `smtp-server`
 * library), against a bare nodemailer send of the same mail to the same server (one connection per
 * mail in both). The ratio is of medians over --rounds, measured in the same run.
 *
 *   BENCH_DB=kehu_messaging_bench node bench/messaging-email.bench.ts [--messages 50] [--rounds 3]
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

const o = args({ messages: { type: 'string', default: '50' }, rounds: { type: 'string', default: '3' } });
if (o) {
  const n = Math.min(int(o.messages as string, 'messages'), 5_000);
  const rounds = Math.min(int(o.rounds as string, 'rounds'), 10);
  const { startSmtpReceiver } = await import('../apps/server/src/modules/messaging/test-kit.ts');
  const smtp = await startSmtpReceiver();
  process.env.KEHU_OUTBOUND_ALLOW = `127.0.0.1:${smtp.port}`;
  await ensureDatabase(BENCH_DB);
  const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
  const { migrateAll, registerModules } = await import('../apps/server/src/app.ts');
  const { inTenant } = await import('../apps/server/src/core/db/tenant-scope.ts');
  const { newId } = await import('../apps/server/src/core/ids.ts');
  const { runOneJob } = await import('../apps/server/src/core/jobs/queue.ts');
  const { sendMessage } = await import('../apps/server/src/modules/messaging/index.ts');
  const { emailHtml } = await import('../apps/server/src/modules/messaging/email/layout.ts');
  const { createTransport } = await import('nodemailer');
  registerModules();
  const database = await openDatabase({ url: dbUrl(), poolSize: 4 });
  await migrateAll(database.db);
  const pool = database.pool!;
  const slug = 'messagingemailbench';
  let tenantId = (await pool.query<{ id: string }>('select id from tenants where slug = $1', [slug])).rows[0]
    ?.id;
  if (!tenantId) {
    const { seedDemoTenant } = await import('../apps/server/src/seed/demo-data.ts');
    tenantId = (await seedDemoTenant(database, { customers: 0, slug, password: DEMO_PASSWORD })).tenantId;
  }
  await pool.query(
    `insert into cdp_profiles (tenant_id, id, canonical_id, traits)
     select $1, id, id, jsonb_build_object('name', '客户' || i, 'email', 'c' || i || '@example.com')
     from (select gen_random_uuid() id, i from generate_series(1, $2) i) x
     where (select count(*) from cdp_profiles where tenant_id = $1) < $2`,
    [tenantId, n],
  );
  const profiles = (
    await pool.query<{ id: string; email: string }>(
      "select id, traits->>'email' as email from cdp_profiles where tenant_id = $1 order by id limit $2",
      [tenantId, n],
    )
  ).rows;
  await pool.query(
    `insert into messaging_settings (tenant_id, caps, email_host, email_port, email_security, email_from)
     values ($1, '[]', '127.0.0.1', $2, 'none', 'Bench <bench@example.com>')
     on conflict (tenant_id) do update set caps = '[]', email_host = '127.0.0.1', email_port = $2,
       email_security = 'none', email_from = 'Bench <bench@example.com>', quiet_start = null, quiet_end = null`,
    [tenantId, smtp.port],
  );
  const log = { info() {}, warn() {}, error() {} };
  const signal = new AbortController().signal;
  const text = '{{name}}您好：\n\n春季保养季到店享 8 折，详情 https://example.com/spring';
  const ours: number[] = [];
  const bare: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const run = newId();
    smtp.inbox.length = 0;
    let t = performance.now();
    for (let i = 0; i < profiles.length; i += 100)
      await inTenant(database.db, tenantId!, async (tx) => {
        for (const p of profiles.slice(i, i + 100))
          await sendMessage(tx, tenantId!, {
            profileId: p.id,
            channel: 'email',
            purpose: 'marketing',
            content: { subject: '{{name}}，春季保养季', text },
            idempotencyKey: `${run}:${p.id}`,
            source: { kind: 'campaign', id: run },
          });
      });
    while (await runOneJob(database.db, 'bench', signal, log, tenantId)) {}
    ours.push(performance.now() - t);
    if (smtp.inbox.length !== n) throw new Error(`expected ${n} mails, got ${smtp.inbox.length}`);
    t = performance.now();
    for (const [i, p] of profiles.entries()) {
      const transport = createTransport({
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        ignoreTLS: true,
      });
      const body = text.replace('{{name}}', `客户${i}`);
      await transport.sendMail({
        from: 'Bench <bench@example.com>',
        to: p.email,
        subject: `客户${i}，春季保养季`,
        text: body,
        html: emailHtml({ subject: '春季保养季', text: body }),
      });
      transport.close();
    }
    bare.push(performance.now() - t);
  }
  await pool.query('delete from messaging_messages where tenant_id = $1', [tenantId]);
  await pool.query('delete from messaging_links where tenant_id = $1', [tenantId]);
  await pool.query("delete from jobs where tenant_id = $1 and status = 'done'", [tenantId]);
  await database.close();
  await smtp.close();
  const res = {
    messages: n,
    kehuMs: median(ours),
    bareNodemailerMs: median(bare),
    ratio: median(ours) / median(bare),
    perSecond: (n / median(ours)) * 1000,
  };
  printTable(`messaging email: ${n} mails to a local SMTP server (median of ${rounds})`, [
    { what: 'sendMessage + delivery job (SMTP)', ms: fmt(res.kehuMs, 0) },
    { what: 'bare nodemailer send', ms: fmt(res.bareNodemailerMs, 0) },
    { what: 'ratio', ms: fmt(res.ratio, 2) },
    { what: 'mails / s', ms: fmt(res.perSecond, 0) },
  ]);
  writeResult('messaging-email', res);
  process.exit(0);
}

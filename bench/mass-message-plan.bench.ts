/**
 * 群发 planning (issue 11): planning a mass message to --customers WeCom customers across --staff
 * staff members (who gets it from whom; consent, deleted-staff and monthly-cap exclusions, one
 * INSERT … SELECT) against inserting the same number of recipient rows with one plain SQL
 * statement from generate_series — the floor for writing that many rows. Both run under RLS as the
 * application role (inTenant), on the same database, --rounds times each; the ratio is of medians.
 *
 *   node bench/mass-message-plan.bench.ts [--customers 100000] [--staff 50] [--rounds 3]
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

export const massPlanOptions = (argv?: string[]) =>
  args(
    {
      customers: { type: 'string', default: '100000' },
      staff: { type: 'string', default: '50' },
      rounds: { type: 'string', default: '3' },
    },
    argv,
  );

export interface MassPlanResult {
  customers: number;
  staff: number;
  planMs: number;
  insertMs: number;
  ratio: number;
  planned: number;
  excluded: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function runMassPlan(
  o: NonNullable<ReturnType<typeof massPlanOptions>>,
): Promise<MassPlanResult> {
  const customers = int(o.customers as string, 'customers');
  const staff = int(o.staff as string, 'staff');
  const rounds = Math.min(int(o.rounds as string, 'rounds'), 10);
  await ensureDatabase(BENCH_DB);
  const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
  const { migrateAll } = await import('../apps/server/src/app.ts');
  const { inTenant } = await import('../apps/server/src/core/db/tenant-scope.ts');
  const { newId } = await import('../apps/server/src/core/ids.ts');
  const { systemViewer } = await import('../apps/server/src/modules/cdp/index.ts');
  const { planCustomers } = await import('../apps/server/src/modules/outreach/plan.service.ts');
  const { sql } = await import('kysely');
  const database = await openDatabase({ url: dbUrl(), poolSize: 2 });
  await migrateAll(database.db);
  const pool = database.pool!;
  const slug = `massplan${customers}x${staff}`;
  let tenantId = (await pool.query<{ id: string }>('select id from tenants where slug = $1', [slug])).rows[0]
    ?.id;
  const corpRef = '00000000-0000-4000-8000-00000000c0de';
  if (!tenantId) {
    console.error(`seeding ${slug}: ${customers} WeCom customers across ${staff} staff …`);
    const { seedDemoTenant } = await import('../apps/server/src/seed/demo-data.ts');
    tenantId = (await seedDemoTenant(database, { customers: 0, slug, password: DEMO_PASSWORD })).tenantId;
    const unit = (
      await pool.query<{ unit_id: string }>('select unit_id from users where tenant_id = $1 limit 1', [
        tenantId,
      ])
    ).rows[0]!.unit_id;
    await pool.query(
      `insert into wecom_staff (tenant_id, corp_ref, userid, name)
       select $1, $2, 'staff' || s, '成员' || s from generate_series(1, $3) s`,
      [tenantId, corpRef, staff],
    );
    // Every 40th customer deleted their staff member; every 25th has a profile that withdrew marketing consent.
    await pool.query(
      `insert into wecom_external_contacts (tenant_id, corp_ref, external_userid, userid, unit_id, name, profile_id, status)
       select $1, $2, 'wm' || i, 'staff' || (1 + i % $4), $3, '客户' || i,
         case when i % 25 = 0 then gen_random_uuid() end, case when i % 40 = 0 then 'lost' else 'active' end
       from generate_series(1, $5) i`,
      [tenantId, corpRef, unit, staff, customers],
    );
    await pool.query(
      `insert into cdp_consents (tenant_id, profile_id, purpose, granted)
       select tenant_id, profile_id, 'marketing', false from wecom_external_contacts
       where tenant_id = $1 and profile_id is not null`,
      [tenantId],
    );
    await pool.query('analyze wecom_external_contacts, cdp_consents, outreach_recipients');
  }
  const p = systemViewer(tenantId!).principal;
  const plan: number[] = [];
  const insert: number[] = [];
  let planned = 0;
  let excluded = 0;
  for (let r = 0; r < rounds; r++) {
    const id = newId();
    let t = performance.now();
    await inTenant(database.db, tenantId!, async (tx) => {
      await sql`insert into outreach_messages (tenant_id, id, corp_ref, chat_type, title, audience, status, unit_id)
        values (${tenantId}, ${id}, ${corpRef}, 'single', 'bench', '{}', 'planned', ${p.unitId})`.execute(tx);
      await planCustomers(tx, p, id, corpRef, new Date(Date.UTC(2000 + r, 0, 15)), 4, sql`true`);
    });
    plan.push(performance.now() - t);
    const c = await pool.query<{ status: string; n: string }>(
      'select status, count(*) n from outreach_recipients where tenant_id = $1 and message_id = $2 group by status',
      [tenantId, id],
    );
    planned = Number(c.rows.find((x) => x.status === 'planned')?.n ?? 0);
    excluded = Number(c.rows.find((x) => x.status === 'excluded')?.n ?? 0);
    const id2 = newId();
    t = performance.now();
    await inTenant(database.db, tenantId!, async (tx) => {
      await sql`insert into outreach_recipients (tenant_id, message_id, target, staff_userid, status)
        select ${tenantId}, ${id2}, 'wm' || i, 'staff' || (1 + i % ${staff}), 'planned'
        from generate_series(1, ${customers}) i`.execute(tx);
    });
    insert.push(performance.now() - t);
    await pool.query(
      'delete from outreach_recipients where tenant_id = $1 and message_id = any($2::uuid[])',
      [tenantId, [id, id2]],
    );
    await pool.query('delete from outreach_messages where tenant_id = $1 and id = $2', [tenantId, id]);
  }
  await database.close();
  const res: MassPlanResult = {
    customers,
    staff,
    planMs: median(plan),
    insertMs: median(insert),
    ratio: median(plan) / median(insert),
    planned,
    excluded,
  };
  printTable(`mass-message plan, ${customers} customers / ${staff} staff (median of ${rounds})`, [
    { what: 'plan (exclusions, per-staff pick)', ms: fmt(res.planMs, 0) },
    { what: 'one INSERT … generate_series', ms: fmt(res.insertMs, 0) },
    { what: 'ratio', ms: fmt(res.ratio, 2) },
  ]);
  writeResult('mass-message-plan', res);
  return res;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const o = massPlanOptions();
  if (o) await runMassPlan(o);
  process.exit(0);
}

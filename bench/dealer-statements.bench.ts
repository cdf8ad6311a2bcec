/**
 * Monthly statements 对账单 for many dealers (issue 14): DEALERS dealer units (default 1,000) with
 * LINES ledger entries between them (default 1,000,000) over three months. Kehu issues every
 * dealer's statement for the last month through the service (scope check, account lock, the
 * aggregate, the statement row and one line per entry of the month, audit), one transaction per
 * dealer; the baseline is the hand-written aggregate SQL computing the same totals for all dealers
 * in one GROUP BY. The totals are checked equal. Reported as time ratios (same run): the full
 * issue, and the service's totals query alone run per dealer.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kehu_bench_dms node_modules/.bin/node bench/dealer-statements.bench.ts
 */
import { sql } from 'kysely';
import { loadPrincipal } from '../apps/server/src/core/auth/access-loader.ts';
import { inTenant } from '../apps/server/src/core/db/tenant-scope.ts';
import {
  createStatement,
  monthBounds,
  statementTotalsSql,
} from '../apps/server/src/modules/dealers/statements.service.ts';
import { tenantDirectory } from '../apps/server/src/testing/fixtures.ts';
import { getTestEnv, newTenantWithAdmin } from '../apps/server/src/testing/harness.ts';

const DEALERS = Number(process.env.DEALERS ?? 1_000);
const LINES = Number(process.env.LINES ?? 1_000_000);
const env = await getTestEnv();
const t = await newTenantWithAdmin(env, 0);
const dir = await tenantDirectory(env, t.seed);
const tenantId = dir.tenantId;
const region = dir.unit('EC');

// Periods: the last full month is the statement month; the two before it make the opening.
const now = new Date(Date.now() + 8 * 3600_000);
const month = (back: number) => {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
};
const period = month(1);
const { from, to } = monthBounds(period);
const start = monthBounds(month(3)).from;

const s0 = performance.now();
await inTenant(env.database.db, tenantId, async (tx) => {
  await sql`insert into units (tenant_id, id, parent_id, name, type, code, path, depth)
    select ${tenantId}, g.id, ${region}, 'bench dealer ' || g.n, 'dealer', 'BD' || g.n,
      (select path from units where tenant_id = ${tenantId} and id = ${region}) || g.id || '/', 3
    from (select n, gen_random_uuid() as id from generate_series(1, ${DEALERS}) n) g`.execute(tx);
  await sql`insert into dms_accounts (tenant_id, dealer_unit_id, credit_limit)
    select tenant_id, id, 100000000 from units where tenant_id = ${tenantId} and code like 'BD%'`.execute(tx);
  // Entries spread evenly over the three months: orders (−), payments, rebates, deductions.
  await sql`with d as (select id, row_number() over (order by id) - 1 as k from units
      where tenant_id = ${tenantId} and code like 'BD%')
    insert into dms_account_entries (tenant_id, id, dealer_unit_id, kind, amount, ref, at)
    select ${tenantId}, gen_random_uuid(), d.id,
      (array['order', 'payment', 'order', 'rebate', 'pool_deduction'])[1 + g % 5],
      case when g % 5 in (0, 2) then -(1000 + g % 997) else 500 + g % 991 end,
      'bench ' || g,
      ${start}::timestamptz + (g::double precision / ${LINES}) * (${to}::timestamptz - ${start}::timestamptz - interval '1 second')
    from generate_series(0, ${LINES - 1}) g join d on d.k = g % ${DEALERS}`.execute(tx);
  await sql`analyze dms_account_entries`.execute(tx).catch(() => undefined);
});
const seedMs = performance.now() - s0;

// Baseline: one hand-written aggregate over every dealer.
const b0 = performance.now();
const bare = await inTenant(
  env.database.db,
  tenantId,
  async (tx) =>
    (
      await sql<any>`select dealer_unit_id,
        coalesce(sum(amount) filter (where at < ${from}::timestamptz), 0) as opening,
        coalesce(-sum(amount) filter (where at >= ${from}::timestamptz and kind = 'order'), 0) as orders,
        coalesce(sum(amount) filter (where at >= ${from}::timestamptz and kind = 'payment'), 0) as payments,
        coalesce(sum(amount) filter (where at >= ${from}::timestamptz and kind = 'rebate'), 0) as rebates,
        coalesce(sum(amount) filter (where at >= ${from}::timestamptz and kind = 'pool_deduction'), 0) as deductions,
        coalesce(sum(amount), 0) as closing
      from dms_account_entries where tenant_id = ${tenantId} and at < ${to}::timestamptz
      group by dealer_unit_id`.execute(tx)
    ).rows,
);
const bareMs = performance.now() - b0;

// The same totals through the service's aggregate, one dealer per transaction (no writes).
const a0 = performance.now();
for (const row of bare)
  await inTenant(env.database.db, tenantId, (tx) =>
    statementTotalsSql(tenantId, row.dealer_unit_id, from, to).execute(tx),
  );
const perDealerTotalsMs = performance.now() - a0;

const hq = (await loadPrincipal(env.database.db, tenantId, dir.user('wang.jianguo').id, -1))!;
const principal = { ...hq, kind: 'user' as const };
const actor = { tenantId, actorId: hq.userId, actorKind: 'user' as const };
const k0 = performance.now();
const kehu = new Map<string, number>();
let lines = 0;
for (const row of bare) {
  const s = await inTenant(env.database.db, tenantId, (tx) =>
    createStatement(tx, principal, actor, 'zh-CN', { dealerUnitId: row.dealer_unit_id, period }),
  );
  kehu.set(row.dealer_unit_id, s.closing);
  lines += s.lines.length;
}
const kehuMs = performance.now() - k0;
for (const row of bare)
  if (kehu.get(row.dealer_unit_id) !== Number(row.closing))
    throw new Error(
      `closing differs for ${row.dealer_unit_id}: ${kehu.get(row.dealer_unit_id)} vs ${row.closing}`,
    );

console.log(
  JSON.stringify({
    bench: 'dealer-statements',
    db: process.env.DATABASE_URL ? 'postgres' : 'pglite',
    dealers: bare.length,
    entries: LINES,
    statementLines: lines,
    seedS: +(seedMs / 1000).toFixed(1),
    bareAggregateMs: +bareMs.toFixed(0),
    perDealerTotalsMs: +perDealerTotalsMs.toFixed(0),
    totalsRatio: +(perDealerTotalsMs / bareMs).toFixed(1),
    kehuStatementsMs: +kehuMs.toFixed(0),
    kehuPerDealerMs: +(kehuMs / bare.length).toFixed(1),
    ratio: +(kehuMs / bareMs).toFixed(1),
  }),
);
await env.close();
process.exit(0);

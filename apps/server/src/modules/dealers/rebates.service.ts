import type { RebateAccrual, RebateRule, RebateRuleInput } from '@kehu/contracts/dealers';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { type FieldError, invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { catalogueProducts } from '../sales/index.ts';
import { postEntry } from './accounts.service.ts';
import { day, dealerPrices, listedProducts, resolveDealer } from './catalogue.service.ts';
import { dmsProblem, dt } from './dealers.messages.ts';

/** Today's month in China time (UTC+8, no daylight saving). */
export const chinaMonth = (at = new Date()) => new Date(+at + 8 * 3_600_000).toISOString().slice(0, 7);

/** The rule's period that contains a month, with its bounds (China time) and first / last day. */
export function rulePeriod(kind: 'month' | 'quarter', month: string) {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const first = kind === 'month' ? m : Math.floor((m - 1) / 3) * 3 + 1;
  const months = kind === 'month' ? 1 : 3;
  const end = first + months;
  const mm = (n: number) => String(n).padStart(2, '0');
  const next = end > 12 ? `${y + 1}-01` : `${y}-${mm(end)}`;
  const lastDay = new Date(Date.UTC(y, first - 1 + months, 0)).toISOString().slice(0, 10);
  return {
    key: kind === 'month' ? month : `${y}-Q${Math.floor((m - 1) / 3) + 1}`,
    from: `${y}-${mm(first)}-01T00:00:00+08:00`,
    to: `${next}-01T00:00:00+08:00`,
    firstDay: `${y}-${mm(first)}-01`,
    lastDay,
  };
}

const toRule = (r: any): RebateRule => ({
  id: r.id,
  name: r.name,
  basis: r.basis,
  periodKind: r.period_kind,
  threshold: Number(r.threshold),
  percent: r.percent === null ? null : Number(r.percent),
  productId: r.product_id,
  perUnit: r.per_unit === null ? null : Number(r.per_unit),
  dealerUnitId: r.dealer_unit_id,
  startsOn: day(r.starts_on),
  endsOn: r.ends_on ? day(r.ends_on) : null,
  active: r.active,
  version: r.version,
});

/** Rules that reach the caller's dealers (their own and the all-dealer ones). */
export async function listRules(tx: Tx, p: Principal): Promise<RebateRule[]> {
  return (
    await sql<any>`select * from dms_rebate_rules where tenant_id = ${p.tenantId}
      and (dealer_unit_id is null or dealer_unit_id = any(${p.subtreeUnitIds}::uuid[]))
      order by active desc, starts_on desc, created_at desc limit 500`.execute(tx)
  ).rows.map(toRule);
}

/**
 * A rule without a dealer accrues for every dealer of the tenant: only someone whose units include
 * the top of the org tree (HQ) may make or switch one — a branch manager would otherwise give
 * rebates to dealers outside their branch.
 */
async function assertHq(tx: Tx, p: Principal, locale: Locale) {
  const root = (
    await sql<{
      id: string;
    }>`select id from units where tenant_id = ${p.tenantId} and parent_id is null`.execute(tx)
  ).rows;
  if (!root.every((r) => p.subtreeUnitIds.includes(r.id)))
    throw invalid([
      { field: 'dealerUnitId', code: 'rebate_rule_scope', message: dt(locale, 'rebate_rule_scope') },
    ]);
}

export async function createRule(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: RebateRuleInput & { threshold: number },
): Promise<RebateRule> {
  const errors: FieldError[] = [];
  const err = (field: string, code: string) => errors.push({ field, code, message: dt(locale, code) });
  if (input.dealerUnitId) await resolveDealer(tx, p, locale, input.dealerUnitId);
  else await assertHq(tx, p, locale);
  if (input.endsOn && input.endsOn < input.startsOn) err('endsOn', 'dates_order');
  if (input.basis === 'volume' && !input.percent) err('percent', 'rebate_fields');
  if (input.basis === 'product') {
    if (!input.productId) err('productId', 'rebate_fields');
    else if ((await catalogueProducts(tx, p.tenantId, [input.productId])).length === 0)
      err('productId', 'product_unknown');
    if (!input.perUnit) err('perUnit', 'rebate_fields');
  }
  if (errors.length) throw invalid(errors);
  const id = newId();
  const vol = input.basis === 'volume';
  await sql`insert into dms_rebate_rules (tenant_id, id, name, basis, period_kind, threshold, percent, product_id, per_unit,
      dealer_unit_id, starts_on, ends_on, created_by)
    values (${p.tenantId}, ${id}, ${input.name}, ${input.basis}, ${input.periodKind}, ${input.threshold},
      ${vol ? input.percent : null}, ${vol ? null : input.productId}, ${vol ? null : input.perUnit},
      ${input.dealerUnitId ?? null}, ${input.startsOn}, ${input.endsOn ?? null}, ${p.userId})`.execute(tx);
  await writeAudit(tx, actor, { action: 'create', object: 'dms_rebate_rule', recordId: id });
  return toRule(
    (
      await sql<any>`select * from dms_rebate_rules where tenant_id = ${p.tenantId} and id = ${id}`.execute(
        tx,
      )
    ).rows[0],
  );
}

/** Switches a rule on or off (optimistic: a stale version is a 409). Accrued rows stay. */
export async function setRuleActive(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  input: { version: number; active: boolean },
): Promise<RebateRule> {
  const cur = (
    await sql<any>`select * from dms_rebate_rules where tenant_id = ${p.tenantId} and id = ${id}
      and (dealer_unit_id is null or dealer_unit_id = any(${p.subtreeUnitIds}::uuid[])) for update`.execute(
      tx,
    )
  ).rows[0];
  if (!cur) throw notFound('dms_rebate_rule');
  if (!cur.dealer_unit_id) await assertHq(tx, p, locale);
  if (cur.version !== input.version)
    throw dmsProblem('conflict', locale, 'version_conflict', { current: cur.version });
  const r = (
    await sql<any>`update dms_rebate_rules set active = ${input.active}, version = version + 1
      where tenant_id = ${p.tenantId} and id = ${id} returning *`.execute(tx)
  ).rows[0];
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'dms_rebate_rule',
    recordId: id,
    changes: [{ field: 'active', from: cur.active, to: input.active }],
  });
  return toRule(r);
}

/**
 * Accrues every active rule for the period containing `month`, from received orders: volume =
 * sell-in (subtotal − discount) of the period, product = units of the product received. One row
 * per dealer, rule and period, recomputed while not settled — running it again changes nothing.
 * `dealerIds` limits it to those dealers (a user's run sees only that user's dealers).
 */
export async function accrueRebates(
  tx: Tx,
  tenantId: string,
  month: string,
  dealerIds: string[] | null = null,
): Promise<{ accruals: number; amount: number }> {
  const rules = (
    await sql<any>`select * from dms_rebate_rules where tenant_id = ${tenantId} and active`.execute(tx)
  ).rows;
  let accruals = 0;
  let amount = 0;
  for (const rule of rules) {
    const per = rulePeriod(rule.period_kind, month);
    if (day(rule.starts_on) > per.lastDay || (rule.ends_on && day(rule.ends_on) < per.firstDay)) continue;
    const dealerFilter = sql`${rule.dealer_unit_id ? sql`and o.dealer_unit_id = ${rule.dealer_unit_id}` : sql``}
      ${dealerIds ? sql`and o.dealer_unit_id = any(${dealerIds}::uuid[])` : sql``}`;
    const bases = (
      rule.basis === 'volume'
        ? await sql<any>`select o.dealer_unit_id, sum(o.subtotal - o.discount)::bigint as base from dms_orders o
            where o.tenant_id = ${tenantId} and o.status = 'received' and o.received_at >= ${per.from}::timestamptz
              and o.received_at < ${per.to}::timestamptz ${dealerFilter}
            group by o.dealer_unit_id`.execute(tx)
        : await sql<any>`select o.dealer_unit_id, sum(l.quantity)::bigint as base from dms_orders o
            join dms_order_lines l on l.tenant_id = o.tenant_id and l.order_id = o.id
            where o.tenant_id = ${tenantId} and o.status = 'received' and o.received_at >= ${per.from}::timestamptz
              and o.received_at < ${per.to}::timestamptz and not l.is_gift and l.product_id = ${rule.product_id}
              ${dealerFilter}
            group by o.dealer_unit_id`.execute(tx)
    ).rows;
    for (const b of bases) {
      const base = Number(b.base);
      const reached = base > 0 && base >= Number(rule.threshold);
      const earned = !reached
        ? 0
        : rule.basis === 'volume'
          ? Math.round((base * Number(rule.percent)) / 100)
          : base * Number(rule.per_unit);
      const r =
        await sql`insert into dms_rebate_accruals (tenant_id, id, dealer_unit_id, rule_id, period, base, amount)
        values (${tenantId}, ${newId()}, ${b.dealer_unit_id}, ${rule.id}, ${per.key}, ${base}, ${earned})
        on conflict (tenant_id, dealer_unit_id, rule_id, period) do update set base = excluded.base, amount = excluded.amount,
          version = dms_rebate_accruals.version + 1, updated_at = now()
        where dms_rebate_accruals.status = 'accrued'
          and (dms_rebate_accruals.base <> excluded.base or dms_rebate_accruals.amount <> excluded.amount)`.execute(
          tx,
        );
      if (Number(r.numAffectedRows ?? 0)) accruals++;
      amount += earned;
    }
  }
  return { accruals, amount };
}

/** The durable job queued on every receipt: this month's accruals of the tenant. */
export async function rebateJob(payload: { dealerUnitId?: string; month?: string }, job: JobContext) {
  await job.tx((tx) =>
    accrueRebates(
      tx,
      job.tenantId,
      payload.month ?? chinaMonth(),
      payload.dealerUnitId ? [payload.dealerUnitId] : null,
    ),
  );
}

const accrualColumns = sql`a.*, u.name as dealer_name, r.name as rule_name`;
const accrualJoins = sql`join dms_rebate_rules r on r.tenant_id = a.tenant_id and r.id = a.rule_id
  left join units u on u.tenant_id = a.tenant_id and u.id = a.dealer_unit_id`;
const toAccrual = (r: any): RebateAccrual => ({
  id: r.id,
  dealerUnitId: r.dealer_unit_id,
  dealerName: r.dealer_name ?? null,
  ruleId: r.rule_id,
  ruleName: r.rule_name,
  period: r.period,
  base: Number(r.base),
  amount: Number(r.amount),
  status: r.status,
  settledAs: r.settled_as,
  settledOrderId: r.settled_order_id,
  settledAt: r.settled_at ? new Date(r.settled_at).toISOString() : null,
  version: r.version,
});

export async function listAccruals(
  tx: Tx,
  p: Principal,
  q: { dealerUnitId?: string; status?: string },
): Promise<RebateAccrual[]> {
  return (
    await sql<any>`select ${accrualColumns} from dms_rebate_accruals a ${accrualJoins}
      where a.tenant_id = ${p.tenantId} and a.dealer_unit_id = any(${p.subtreeUnitIds}::uuid[])
        ${q.dealerUnitId ? sql`and a.dealer_unit_id = ${q.dealerUnitId}` : sql``}
        ${q.status ? sql`and a.status = ${q.status}` : sql``}
      order by a.period desc, u.path, r.name limit 500`.execute(tx)
  ).rows.map(toAccrual);
}

const orderNo = () => `RB${chinaMonth().replace('-', '').slice(2)}-${newId().slice(0, 6).toUpperCase()}`;

/**
 * HQ settles an accrual: as account credit (a 返利 ledger entry, on the statement) or as goods (an
 * approved zero-price order line of a product, HQ stock reserved, shipped like any order).
 * Optimistic (version → 409), once only (settled → 409), audited.
 */
export async function settleAccrual(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  input: { version: number; as: 'credit' | 'goods'; productId?: string; quantity?: number },
): Promise<RebateAccrual> {
  const cur = (
    await sql<any>`select ${accrualColumns} from dms_rebate_accruals a ${accrualJoins}
      where a.tenant_id = ${p.tenantId} and a.id = ${id} and a.dealer_unit_id = any(${p.subtreeUnitIds}::uuid[])
      for update of a`.execute(tx)
  ).rows[0];
  if (!cur) throw notFound('dms_rebate_accrual');
  if (cur.version !== input.version)
    throw dmsProblem('conflict', locale, 'version_conflict', { current: cur.version });
  if (cur.status !== 'accrued') throw dmsProblem('conflict', locale, 'rebate_settled');
  const errors: FieldError[] = [];
  const err = (field: string, code: string, params: Record<string, unknown> = {}) =>
    errors.push({ field, code, params, message: dt(locale, code, params) });
  if (Number(cur.amount) <= 0) err('as', 'rebate_zero');
  let orderId: string | null = null;
  const ref = `返利 ${cur.rule_name} ${cur.period}`;
  if (input.as === 'goods') {
    if (!input.productId) err('productId', 'rebate_goods');
    if (!input.quantity) err('quantity', 'rebate_goods');
    const product = input.productId
      ? (await listedProducts(tx, p.tenantId, [input.productId]))[0]
      : undefined;
    if (input.productId && !product) err('productId', 'product_unknown');
    if (errors.length) throw invalid(errors);
    const q = input.quantity!;
    // Goods are worth what the dealer would pay for them today: never more than the rebate.
    const unit = (await dealerPrices(tx, p.tenantId, cur.dealer_unit_id, [product!])).get(product!.id)?.price;
    if (!unit || unit <= 0) err('productId', 'rebate_goods_unpriced');
    else if (unit * q > Number(cur.amount))
      err('quantity', 'rebate_exceeds', { max: Math.floor(Number(cur.amount) / unit) });
    if (errors.length) throw invalid(errors);
    const r = await sql`update dms_products set reserved = reserved + ${q}, updated_at = now()
      where tenant_id = ${p.tenantId} and product_id = ${product!.id} and on_hand - reserved >= ${q}`.execute(
      tx,
    );
    if (!Number(r.numAffectedRows ?? 0)) {
      err('quantity', 'insufficient_stock', { available: product!.available, needed: q });
      throw invalid(errors);
    }
    orderId = newId();
    await sql`insert into dms_orders (tenant_id, id, order_no, dealer_unit_id, status, note, created_by, submitted_at)
      values (${p.tenantId}, ${orderId}, ${orderNo()}, ${cur.dealer_unit_id}, 'approved', ${ref}, ${p.userId}, now())`.execute(
      tx,
    );
    await sql`insert into dms_order_lines (tenant_id, order_id, line_no, product_id, product_name, quantity, unit_price, amount, is_gift)
      values (${p.tenantId}, ${orderId}, 1, ${product!.id}, ${product!.name}, ${q}, 0, 0, true)`.execute(tx);
  } else {
    if (errors.length) throw invalid(errors);
    await postEntry(tx, p.tenantId, {
      dealerUnitId: cur.dealer_unit_id,
      kind: 'rebate',
      amount: Number(cur.amount),
      ref,
      idempotencyKey: `rebate:${id}`,
      userId: p.userId,
    });
  }
  await sql`update dms_rebate_accruals set status = 'settled', settled_as = ${input.as}, settled_order_id = ${orderId},
      settled_by = ${p.userId}, settled_at = now(), version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'dms_rebate_settle',
    object: 'dms_rebate_accrual',
    recordId: id,
    meta: {
      as: input.as,
      amount: Number(cur.amount),
      orderId,
      productId: input.as === 'goods' ? input.productId : null,
      quantity: input.quantity ?? null,
    },
  });
  return toAccrual(
    (
      await sql<any>`select ${accrualColumns} from dms_rebate_accruals a ${accrualJoins}
        where a.tenant_id = ${p.tenantId} and a.id = ${id}`.execute(tx)
    ).rows[0],
  );
}

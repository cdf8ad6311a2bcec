import { randomBytes } from 'node:crypto';
import type { Order, OrderInput } from '@kehu/contracts/dealers';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { AppError, type FieldError, invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { type Decision, submitForApproval } from '../approvals/index.ts';
import { expensePool } from '../trade-promotion/index.ts';
import { postEntry } from './accounts.service.ts';
import { dealerPrices, listedProducts, listPromotions, resolveDealer, today } from './catalogue.service.ts';
import { dmsProblem, dt, yuan } from './dealers.messages.ts';
import { emitOrderEvent } from './erp-events.ts';
import { afterReceipt } from './jobs.ts';

export const ORDER_OBJECT = 'dms_order';

const visible = (p: Principal) => sql`o.dealer_unit_id = any(${p.subtreeUnitIds}::uuid[])`;
const columns = sql`o.*, d.name as dealer_name, us.name as creator_name,
  (select coalesce(json_agg(json_build_object('lineNo', l.line_no, 'productId', l.product_id, 'productName', l.product_name,
    'quantity', l.quantity, 'unitPrice', l.unit_price, 'amount', l.amount, 'isGift', l.is_gift) order by l.line_no), '[]')
    from dms_order_lines l where l.tenant_id = o.tenant_id and l.order_id = o.id) as lines`;
const joins = sql`left join units d on d.tenant_id = o.tenant_id and d.id = o.dealer_unit_id
  left join users us on us.tenant_id = o.tenant_id and us.id = o.created_by`;

export function toOrder(r: any): Order {
  return {
    id: r.id,
    orderNo: r.order_no,
    dealerUnitId: r.dealer_unit_id,
    dealerName: r.dealer_name ?? null,
    status: r.status,
    subtotal: Number(r.subtotal),
    discount: Number(r.discount),
    poolDeduction: Number(r.pool_deduction),
    total: Number(r.total),
    promotionIds: r.promotion_ids ?? [],
    note: r.note,
    lines: ((typeof r.lines === 'string' ? JSON.parse(r.lines) : r.lines) ?? []).map((l: any) => ({
      lineNo: l.lineNo,
      productId: l.productId,
      productName: l.productName,
      quantity: Number(l.quantity),
      unitPrice: Number(l.unitPrice),
      amount: Number(l.amount),
      isGift: l.isGift,
    })),
    createdBy: { id: r.created_by, name: r.creator_name ?? null },
    submittedAt: r.submitted_at ? new Date(r.submitted_at).toISOString() : null,
    version: r.version,
    createdAt: new Date(r.created_at).toISOString(),
  };
}

async function loadOrder(tx: Tx, p: Principal, id: string, lock = false): Promise<any> {
  if (lock)
    await sql`select 1 from dms_orders o where o.tenant_id = ${p.tenantId} and o.id = ${id} and ${visible(p)}
      for update`.execute(tx);
  const r = (
    await sql<any>`select ${columns} from dms_orders o ${joins}
      where o.tenant_id = ${p.tenantId} and o.id = ${id} and ${visible(p)}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('dms_order');
  return r;
}

export const getOrder = async (tx: Tx, p: Principal, id: string) => toOrder(await loadOrder(tx, p, id));

export async function listOrders(
  tx: Tx,
  p: Principal,
  q: { status?: string; dealerUnitId?: string },
): Promise<Order[]> {
  const rows = (
    await sql<any>`select ${columns} from dms_orders o ${joins}
      where o.tenant_id = ${p.tenantId} and ${visible(p)}
        and (${q.status ?? null}::text is null or o.status = ${q.status ?? null})
        and (${q.dealerUnitId ?? null}::uuid is null or o.dealer_unit_id = ${q.dealerUnitId ?? null})
      order by o.created_at desc limit 500`.execute(tx)
  ).rows;
  return rows.map(toOrder);
}

const badStatus = (locale: Locale, status: string) =>
  dmsProblem('conflict', locale, 'bad_status', { status: dt(locale, `st_${status}`) });

function checkVersion(locale: Locale, cur: any, version?: number) {
  if (version !== undefined && version !== cur.version)
    throw dmsProblem('conflict', locale, 'version_conflict', { current: cur.version });
}

const orderNo = () => {
  const d = today().replaceAll('-', '').slice(2);
  return `DO${d}-${randomBytes(3).toString('hex').toUpperCase()}`;
};

/** A dealer's own user puts a draft together (priced at today's policy; checked again on submit). */
export async function createOrder(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: OrderInput & { promotionIds: string[]; poolDeduction: number },
): Promise<Order> {
  return createDraft(tx, p, actor, locale, input, null);
}

/**
 * For the field-sales visit flow: a draft for a named dealer of the caller's tree, taken by a rep at
 * one of its stores (field-sales checks the rep holds `dealers:order`). Same pricing and product
 * checks as the portal's draft; the dealer's own people review and submit it in the portal.
 */
export async function createDealerDraft(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  dealerUnitId: string,
  input: OrderInput,
): Promise<Order> {
  return createDraft(tx, p, actor, locale, { ...input, promotionIds: [], poolDeduction: 0 }, dealerUnitId);
}

async function createDraft(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: OrderInput & { promotionIds: string[]; poolDeduction: number },
  dealerUnitId: string | null,
): Promise<Order> {
  const ids = [...new Set(input.lines.map((l) => l.productId))];
  const products = new Map((await listedProducts(tx, p.tenantId, ids)).map((x) => [x.id, x]));
  const errors: FieldError[] = [];
  input.lines.forEach((l, i) => {
    if (!products.has(l.productId))
      errors.push({
        field: `lines.${i}.productId`,
        code: 'product_unknown',
        message: dt(locale, 'product_unknown'),
      });
  });
  if (errors.length) throw invalid(errors);
  // Only for the caller's own dealer unit: a store below it, or HQ above, cannot order in its name.
  const dealer = await resolveDealer(tx, p, locale, dealerUnitId);
  const prices = await dealerPrices(tx, p.tenantId, dealer.id, [...products.values()]);
  const id = newId();
  await sql`insert into dms_orders (tenant_id, id, order_no, dealer_unit_id, promotion_ids, pool_deduction, note, created_by)
    values (${p.tenantId}, ${id}, ${orderNo()}, ${dealer.id}, ${[...new Set(input.promotionIds)]}::uuid[], ${input.poolDeduction},
      ${input.note ?? null}, ${p.userId})`.execute(tx);
  let subtotal = 0;
  for (const [i, l] of input.lines.entries()) {
    const price = prices.get(l.productId)?.price ?? 0;
    subtotal += price * l.quantity;
    await sql`insert into dms_order_lines (tenant_id, order_id, line_no, product_id, product_name, quantity, unit_price, amount)
      values (${p.tenantId}, ${id}, ${i + 1}, ${l.productId}, ${products.get(l.productId)!.name}, ${l.quantity}, ${price},
        ${price * l.quantity})`.execute(tx);
  }
  await sql`update dms_orders set subtotal = ${subtotal}, total = ${subtotal} where tenant_id = ${p.tenantId} and id = ${id}`.execute(
    tx,
  );
  await writeAudit(tx, actor, { action: 'create', object: ORDER_OBJECT, recordId: id });
  return getOrder(tx, p, id);
}

/**
 * A dealer edits its draft: lines, quantities, promotions claimed, pool deduction, note. The
 * lines are re-priced at today's policy (as on create); a stale version is a 409.
 */
export async function updateOrder(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  input: OrderInput & { promotionIds: string[]; poolDeduction: number; version: number },
): Promise<Order> {
  const cur = await loadOrder(tx, p, id, true);
  const ids = [...new Set(input.lines.map((l) => l.productId))];
  const products = new Map((await listedProducts(tx, p.tenantId, ids)).map((x) => [x.id, x]));
  const errors: FieldError[] = [];
  input.lines.forEach((l, i) => {
    if (!products.has(l.productId))
      errors.push({
        field: `lines.${i}.productId`,
        code: 'product_unknown',
        message: dt(locale, 'product_unknown'),
      });
  });
  if (errors.length) throw invalid(errors);
  // Only the dealer's own people edit its drafts (HQ above and stores below cannot order in its name).
  const dealer = await resolveDealer(tx, p, locale, null);
  if (cur.dealer_unit_id !== dealer.id) throw notFound('dms_order');
  checkVersion(locale, cur, input.version);
  if (cur.status !== 'draft') throw badStatus(locale, cur.status);
  const prices = await dealerPrices(tx, p.tenantId, dealer.id, [...products.values()]);
  await sql`delete from dms_order_lines where tenant_id = ${p.tenantId} and order_id = ${id}`.execute(tx);
  let subtotal = 0;
  for (const [i, l] of input.lines.entries()) {
    const price = prices.get(l.productId)?.price ?? 0;
    subtotal += price * l.quantity;
    await sql`insert into dms_order_lines (tenant_id, order_id, line_no, product_id, product_name, quantity, unit_price, amount)
      values (${p.tenantId}, ${id}, ${i + 1}, ${l.productId}, ${products.get(l.productId)!.name}, ${l.quantity}, ${price},
        ${price * l.quantity})`.execute(tx);
  }
  await sql`update dms_orders set promotion_ids = ${[...new Set(input.promotionIds)]}::uuid[],
      pool_deduction = ${input.poolDeduction}, note = ${input.note ?? null}, subtotal = ${subtotal}, discount = 0,
      total = ${subtotal}, version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'update',
    object: ORDER_OBJECT,
    recordId: id,
    changes: [
      { field: 'subtotal', from: Number(cur.subtotal), to: subtotal },
      { field: 'poolDeduction', from: Number(cur.pool_deduction), to: input.poolDeduction },
    ],
  });
  return getOrder(tx, p, id);
}

interface Priced {
  lines: {
    productId: string;
    name: string;
    quantity: number;
    unitPrice: number;
    gift: boolean;
    promotionId: string | null;
  }[];
  subtotal: number;
  discount: number;
}

/**
 * Every check before an order may go to approval, each failing one a field error: prices,
 * minimum quantities, promotion thresholds (满减 on the amount, 买赠 on the quantity of a
 * product), the expense-pool deduction, HQ stock and the credit limit. Read-only: the writes that
 * follow re-check stock and credit in their conditional UPDATEs (races).
 */
async function checkOrder(tx: Tx, p: Principal, locale: Locale, cur: any): Promise<Priced> {
  const errors: FieldError[] = [];
  const err = (field: string, code: string, params: Record<string, unknown> = {}) =>
    errors.push({ field, code, params, message: dt(locale, code, params) });
  const raw = (
    await sql<any>`select line_no, product_id, quantity from dms_order_lines where tenant_id = ${p.tenantId}
      and order_id = ${cur.id} and not is_gift order by line_no`.execute(tx)
  ).rows;
  const ids = [...new Set(raw.map((l) => l.product_id as string))];
  const products = new Map((await listedProducts(tx, p.tenantId, ids)).map((x) => [x.id, x]));
  const prices = await dealerPrices(tx, p.tenantId, cur.dealer_unit_id, [...products.values()]);
  const settings = new Map(
    (
      await sql<any>`select product_id, min_order_qty, on_hand - reserved as available from dms_products
        where tenant_id = ${p.tenantId}`.execute(tx)
    ).rows.map((r) => [
      r.product_id as string,
      { moq: Number(r.min_order_qty), available: Number(r.available) },
    ]),
  );
  const lines: Priced['lines'] = [];
  const qtyOf = new Map<string, number>();
  for (const [i, l] of raw.entries()) {
    const pr = products.get(l.product_id);
    if (!pr) {
      err(`lines.${i}.productId`, 'product_unknown');
      continue;
    }
    const price = prices.get(pr.id)?.price;
    if (price === null || price === undefined) {
      err(`lines.${i}.productId`, 'no_price');
      continue;
    }
    const moq = settings.get(pr.id)?.moq ?? 1;
    if (l.quantity < moq) err(`lines.${i}.quantity`, 'below_moq', { min: moq, quantity: l.quantity });
    lines.push({
      productId: pr.id,
      name: pr.name,
      quantity: l.quantity,
      unitPrice: price,
      gift: false,
      promotionId: null,
    });
    qtyOf.set(pr.id, (qtyOf.get(pr.id) ?? 0) + l.quantity);
  }
  const active = new Map(
    (await listPromotions(tx, p, { dealerUnitId: cur.dealer_unit_id, on: today() })).map((x) => [x.id, x]),
  );
  // 特价 first: it re-prices the product's lines, and the amount thresholds see the special price.
  for (const [i, pid] of (cur.promotion_ids as string[]).entries()) {
    const promo = active.get(pid);
    if (promo?.kind !== 'special_price') continue;
    const bought = qtyOf.get(promo.productId!) ?? 0;
    if (bought < promo.threshold)
      err(`promotionIds.${i}`, 'promo_threshold', { threshold: promo.threshold, actual: bought });
    else
      for (const l of lines)
        if (l.productId === promo.productId && promo.specialPrice! < l.unitPrice) {
          l.unitPrice = promo.specialPrice!;
          l.promotionId = promo.id;
        }
  }
  const subtotal = lines.reduce((s, l) => s + l.unitPrice * l.quantity, 0);

  let discount = 0;
  const gifts = new Map<string, number>();
  for (const [i, pid] of (cur.promotion_ids as string[]).entries()) {
    const promo = active.get(pid);
    if (!promo) {
      err(`promotionIds.${i}`, 'promo_inactive');
      continue;
    }
    if (promo.kind === 'special_price') continue;
    if (promo.kind === 'percent_off') {
      if (subtotal < promo.threshold)
        err(`promotionIds.${i}`, 'promo_threshold', {
          threshold: yuan(promo.threshold),
          actual: yuan(subtotal),
        });
      else discount += Math.round((subtotal * (100 - promo.percent!)) / 100);
    } else if (promo.kind === 'full_reduction') {
      if (subtotal < promo.threshold)
        err(`promotionIds.${i}`, 'promo_threshold', {
          threshold: yuan(promo.threshold),
          actual: yuan(subtotal),
        });
      else discount += promo.reduction ?? 0;
    } else {
      const bought = qtyOf.get(promo.productId!) ?? 0;
      if (bought < promo.threshold)
        err(`promotionIds.${i}`, 'promo_threshold', { threshold: promo.threshold, actual: bought });
      else {
        const gift = (await listedProducts(tx, p.tenantId, [promo.giftProductId!]))[0];
        if (!gift) err(`promotionIds.${i}`, 'product_unknown');
        else {
          lines.push({
            productId: gift.id,
            name: gift.name,
            quantity: promo.giftQty!,
            unitPrice: 0,
            gift: true,
            promotionId: promo.id,
          });
          gifts.set(gift.id, (gifts.get(gift.id) ?? 0) + promo.giftQty!);
        }
      }
    }
  }
  discount = Math.min(discount, subtotal);
  const gross = subtotal - discount;

  const pool = Number(cur.pool_deduction);
  if (pool > 0) {
    const balance = await expensePool.balance(tx, p.tenantId, cur.dealer_unit_id);
    if (pool > gross) err('poolDeduction', 'pool_exceeds_total', { total: yuan(gross) });
    else if (pool > balance)
      err('poolDeduction', 'pool_exceeds_balance', { balance: yuan(balance), amount: yuan(pool) });
  }

  for (const [productId, q] of qtyOf) {
    const needed = q + (gifts.get(productId) ?? 0);
    const available = settings.get(productId)?.available ?? 0;
    if (needed > available)
      err(`lines.${raw.findIndex((l) => l.product_id === productId)}.quantity`, 'insufficient_stock', {
        available,
        needed,
      });
  }
  for (const [productId, q] of gifts) {
    if (qtyOf.has(productId)) continue;
    const available = settings.get(productId)?.available ?? 0;
    if (q > available) err('promotionIds', 'insufficient_stock', { available, needed: q });
  }

  const account = (
    await sql<any>`select balance, credit_limit from dms_accounts where tenant_id = ${p.tenantId}
      and dealer_unit_id = ${cur.dealer_unit_id}`.execute(tx)
  ).rows[0];
  const available = Number(account?.balance ?? 0) + Number(account?.credit_limit ?? 0);
  const charge = gross - Math.min(pool, gross);
  if (charge > available)
    err('total', 'credit_exceeded', { available: yuan(available), amount: yuan(charge) });
  if (errors.length) throw invalid(errors);
  return { lines, subtotal, discount };
}

/** Holds HQ stock for every product of the order (in product order, so racing orders never deadlock). */
async function reserveStock(tx: Tx, p: Principal, locale: Locale, lines: Priced['lines']) {
  const need = new Map<string, number>();
  for (const l of lines) need.set(l.productId, (need.get(l.productId) ?? 0) + l.quantity);
  for (const [productId, q] of [...need].sort(([a], [b]) => a.localeCompare(b))) {
    const r = await sql`update dms_products set reserved = reserved + ${q}, updated_at = now()
      where tenant_id = ${p.tenantId} and product_id = ${productId} and on_hand - reserved >= ${q}`.execute(
      tx,
    );
    if (!Number(r.numAffectedRows ?? 0)) {
      const left = (
        await sql<any>`select on_hand - reserved as a from dms_products where tenant_id = ${p.tenantId}
          and product_id = ${productId}`.execute(tx)
      ).rows[0];
      const i = lines.findIndex((l) => l.productId === productId && !l.gift);
      const params = { available: Number(left?.a ?? 0), needed: q };
      throw invalid([
        {
          field: i >= 0 ? `lines.${i}.quantity` : 'promotionIds',
          code: 'insufficient_stock',
          params,
          message: dt(locale, 'insufficient_stock', params),
        },
      ]);
    }
  }
}

const poolKey = (orderId: string, n: number) => `dms-order:${orderId}:${n}`;

/**
 * Draft → approval. In one transaction: the checks, the stock reservation, the charge to the
 * dealer's account (conditional on the credit limit), the expense-pool deduction (idempotent per
 * submission) and the approval request. Any failure leaves nothing behind.
 */
export async function submitOrder(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  version?: number,
): Promise<Order> {
  const cur = await loadOrder(tx, p, id, true);
  checkVersion(locale, cur, version);
  if (cur.status !== 'draft') throw badStatus(locale, cur.status);
  const priced = await checkOrder(tx, p, locale, cur);
  const gross = priced.subtotal - priced.discount;
  const pool = Number(cur.pool_deduction);
  const submission = Number(cur.submissions) + 1;

  await sql`delete from dms_order_lines where tenant_id = ${p.tenantId} and order_id = ${id}`.execute(tx);
  for (const [i, l] of priced.lines.entries())
    await sql`insert into dms_order_lines (tenant_id, order_id, line_no, product_id, product_name, quantity, unit_price,
        amount, is_gift, promotion_id)
      values (${p.tenantId}, ${id}, ${i + 1}, ${l.productId}, ${l.name}, ${l.quantity}, ${l.unitPrice},
        ${l.unitPrice * l.quantity}, ${l.gift}, ${l.promotionId})`.execute(tx);
  await reserveStock(tx, p, locale, priced.lines);

  if (pool > 0) {
    try {
      await expensePool.deduct(tx, p.tenantId, {
        dealerUnitId: cur.dealer_unit_id,
        amount: pool,
        ref: `订单 ${cur.order_no}`,
        idempotencyKey: poolKey(id, submission),
        userId: p.userId,
        locale,
      });
    } catch (e) {
      // Another order took the pool in the meantime: the same field error as the check.
      if (e instanceof AppError && e.extra?.reason === 'pool_insufficient') {
        const balance = await expensePool.balance(tx, p.tenantId, cur.dealer_unit_id);
        const params = { balance: yuan(balance), amount: yuan(pool) };
        throw invalid([
          {
            field: 'poolDeduction',
            code: 'pool_exceeds_balance',
            params,
            message: dt(locale, 'pool_exceeds_balance', params),
          },
        ]);
      }
      throw e;
    }
    await postEntry(tx, p.tenantId, {
      dealerUnitId: cur.dealer_unit_id,
      kind: 'pool_deduction',
      amount: pool,
      ref: cur.order_no,
      orderId: id,
      userId: p.userId,
    });
  }
  const charged =
    gross === 0 ||
    (await postEntry(tx, p.tenantId, {
      dealerUnitId: cur.dealer_unit_id,
      kind: 'order',
      amount: -gross,
      ref: cur.order_no,
      orderId: id,
      userId: p.userId,
      checkCredit: true,
    }));
  if (!charged) {
    const a = (
      await sql<any>`select balance + credit_limit as available from dms_accounts where tenant_id = ${p.tenantId}
        and dealer_unit_id = ${cur.dealer_unit_id}`.execute(tx)
    ).rows[0];
    // The pool entry above is in this transaction: what was available before it is available − pool.
    const params = { available: yuan(Number(a?.available ?? 0) - pool), amount: yuan(gross - pool) };
    throw invalid([
      { field: 'total', code: 'credit_exceeded', params, message: dt(locale, 'credit_exceeded', params) },
    ]);
  }
  await sql`update dms_orders set subtotal = ${priced.subtotal}, discount = ${priced.discount}, total = ${gross - pool},
      submissions = ${submission}, submitted_at = now(), version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);

  const request = await submitForApproval(
    tx,
    p,
    actor,
    {
      object: ORDER_OBJECT,
      recordId: id,
      recordName: cur.order_no,
      unitId: cur.dealer_unit_id,
      facts: { amount: gross },
      summary: { amount: gross, dealer: cur.dealer_name, poolDeduction: pool, total: gross - pool },
    },
    locale,
  );
  await sql`update dms_orders set status = ${request ? 'pending' : 'approved'}
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await emitOrderEvent(tx, p.tenantId, id, request ? 'submitted' : 'approved');
  await writeAudit(tx, actor, {
    action: 'dms_order_submit',
    object: ORDER_OBJECT,
    recordId: id,
    meta: { subtotal: priced.subtotal, discount: priced.discount, poolDeduction: pool, total: gross - pool },
  });
  return getOrder(tx, p, id);
}

/** Undoes a submission: stock, account charge and expense-pool deduction go back. */
async function releaseOrder(tx: Tx, tenantId: string, cur: any, userId: string | null) {
  const lines = (
    await sql<any>`select product_id, sum(quantity)::bigint as q from dms_order_lines where tenant_id = ${tenantId}
      and order_id = ${cur.id} group by product_id order by product_id`.execute(tx)
  ).rows;
  for (const l of lines)
    await sql`update dms_products set reserved = reserved - ${l.q}, updated_at = now()
      where tenant_id = ${tenantId} and product_id = ${l.product_id}`.execute(tx);
  const gross = Number(cur.subtotal) - Number(cur.discount);
  const pool = Number(cur.pool_deduction);
  if (gross > 0)
    await postEntry(tx, tenantId, {
      dealerUnitId: cur.dealer_unit_id,
      kind: 'order_reversal',
      amount: gross,
      ref: cur.order_no,
      orderId: cur.id,
      userId,
    });
  if (pool > 0) {
    await postEntry(tx, tenantId, {
      dealerUnitId: cur.dealer_unit_id,
      kind: 'pool_deduction',
      amount: -pool,
      ref: cur.order_no,
      orderId: cur.id,
      userId,
    });
    await expensePool.credit(tx, tenantId, {
      dealerUnitId: cur.dealer_unit_id,
      amount: pool,
      ref: `订单冲回 ${cur.order_no}`,
      idempotencyKey: `${poolKey(cur.id, Number(cur.submissions))}:reversal`,
      userId,
    });
  }
}

/** The approvals engine's decision: approved → to ship; rejected / returned → everything released. */
export async function onOrderDecision(
  tx: Tx,
  principal: Principal,
  _actor: Actor,
  recordId: string,
  decision: Decision,
) {
  const tenantId = principal.tenantId;
  const cur = (
    await sql<any>`select * from dms_orders where tenant_id = ${tenantId} and id = ${recordId} for update`.execute(
      tx,
    )
  ).rows[0];
  if (cur?.status !== 'pending' || decision === 'submitted') return;
  if (decision === 'approved') {
    await sql`update dms_orders set status = 'approved', version = version + 1, updated_at = now()
      where tenant_id = ${tenantId} and id = ${recordId}`.execute(tx);
    await emitOrderEvent(tx, tenantId, recordId, 'approved');
    return;
  }
  await releaseOrder(tx, tenantId, cur, principal.userId);
  await sql`update dms_orders set status = ${decision === 'rejected' ? 'rejected' : 'draft'},
      version = version + 1, updated_at = now() where tenant_id = ${tenantId} and id = ${recordId}`.execute(
    tx,
  );
}

async function transition(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  version: number | undefined,
  from: string,
  to: 'cancelled' | 'shipped' | 'received',
): Promise<Order> {
  const cur = await loadOrder(tx, p, id, true);
  checkVersion(locale, cur, version);
  if (cur.status !== from) throw badStatus(locale, cur.status);
  const lines = (
    await sql<any>`select product_id, sum(quantity)::bigint as q from dms_order_lines where tenant_id = ${p.tenantId}
      and order_id = ${id} group by product_id order by product_id`.execute(tx)
  ).rows;
  if (to === 'shipped')
    for (const l of lines)
      await sql`update dms_products set on_hand = on_hand - ${l.q}, reserved = reserved - ${l.q}, updated_at = now()
        where tenant_id = ${p.tenantId} and product_id = ${l.product_id}`.execute(tx);
  if (to === 'received') {
    for (const l of lines)
      await sql`insert into dms_channel_stock (tenant_id, unit_id, product_id, quantity)
        values (${p.tenantId}, ${cur.dealer_unit_id}, ${l.product_id}, ${l.q})
        on conflict (tenant_id, unit_id, product_id) do update set quantity = dms_channel_stock.quantity + excluded.quantity,
          source = 'derived', updated_at = now()`.execute(tx);
    await afterReceipt(tx, p.tenantId, cur.dealer_unit_id);
  }
  await sql`update dms_orders set status = ${to}, version = version + 1, updated_at = now(),
      shipped_at = case when ${to} = 'shipped' then now() else shipped_at end,
      received_at = case when ${to} = 'received' then now() else received_at end
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, { action: `dms_order_${to}`, object: ORDER_OBJECT, recordId: id });
  if (to !== 'cancelled') await emitOrderEvent(tx, p.tenantId, id, to);
  return getOrder(tx, p, id);
}

export const cancelOrder = (tx: Tx, p: Principal, a: Actor, l: Locale, id: string, v?: number) =>
  transition(tx, p, a, l, id, v, 'draft', 'cancelled');
/** 发货: HQ ships an approved order; its reserved stock leaves HQ. */
export const shipOrder = (tx: Tx, p: Principal, a: Actor, l: Locale, id: string, v?: number) =>
  transition(tx, p, a, l, id, v, 'approved', 'shipped');

/** 签收: the dealer's own user receives the goods into its channel stock. */
export async function receiveOrder(tx: Tx, p: Principal, a: Actor, l: Locale, id: string, v?: number) {
  const cur = await loadOrder(tx, p, id);
  const dealer = await resolveDealer(tx, p, l, null);
  if (cur.dealer_unit_id !== dealer.id) throw notFound('dms_order');
  return transition(tx, p, a, l, id, v, 'shipped', 'received');
}

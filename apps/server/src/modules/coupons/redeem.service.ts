import type { Coupon, RedeemInput } from '@kehu/contracts/coupons';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { orderForCaller } from '../sales/index.ts';
import { normalizeCode } from './coupon-code.ts';
import { couponStatus, toCoupon } from './coupon-view.ts';
import { couponProblem, ct } from './coupons.messages.ts';
import { templateViewer, templateVisible } from './template-access.ts';

const withTemplate = sql`c.*, t.name as t_name, t.kind as t_kind, t.threshold_minor as t_threshold_minor,
  t.amount_minor as t_amount_minor, t.percent_off as t_percent_off, t.max_discount_minor as t_max_discount_minor,
  t.gift_text as t_gift_text, t.return_on_refund as t_return_on_refund, t.unit_id as t_unit_id`;

/** A coupon the caller may handle: its template's unit is above, at or below theirs. */
async function visibleCoupon(
  tx: Tx,
  p: Principal,
  where: { code?: string; id?: string },
): Promise<any | null> {
  const v = await templateViewer(tx, p);
  const match = where.code ? sql`c.code = ${normalizeCode(where.code)}` : sql`c.id = ${where.id!}`;
  return (
    (
      await sql<any>`select ${withTemplate} from coupons c
        join coupon_templates t on t.tenant_id = c.tenant_id and t.id = c.template_id
        where c.tenant_id = ${p.tenantId} and ${match} and ${templateVisible(v)}`.execute(tx)
    ).rows[0] ?? null
  );
}

export async function lookupCoupon(tx: Tx, p: Principal, locale: Locale, code: string): Promise<Coupon> {
  const c = await visibleCoupon(tx, p, { code });
  if (!c) throw couponProblem('not_found', locale, 'coupon_not_found');
  return toCoupon(locale, c);
}

export async function getCoupon(tx: Tx, p: Principal, locale: Locale, id: string): Promise<Coupon> {
  const c = await visibleCoupon(tx, p, { id });
  if (!c) throw couponProblem('not_found', locale, 'coupon_not_found');
  return toCoupon(locale, c);
}

const yuan = (minor: number) => (minor / 100).toFixed(minor % 100 ? 2 : 0);

/** The discount on the purchase's net amount, or a field error when the coupon does not apply. */
function discountFor(
  locale: Locale,
  c: any,
  orderAmount: number | undefined,
  field: 'orderAmountMinor' | 'orderId' = 'orderAmountMinor',
): number {
  const need = () =>
    couponProblem('validation', locale, 'order_amount_required', {}, [
      {
        field,
        code: 'order_amount_required',
        message: ct(locale, 'order_amount_required'),
      },
    ]);
  if (c.t_kind === 'amount_off') {
    const threshold = Number(c.t_threshold_minor ?? 0);
    if (threshold > 0) {
      if (orderAmount === undefined) throw need();
      if (orderAmount < threshold) {
        const params = { threshold: yuan(threshold) };
        throw couponProblem('validation', locale, 'below_threshold', params, [
          {
            field,
            code: 'below_threshold',
            message: ct(locale, 'below_threshold', params),
          },
        ]);
      }
    }
    const off = Number(c.t_amount_minor);
    return orderAmount === undefined ? off : Math.min(off, orderAmount);
  }
  if (c.t_kind === 'percent_off') {
    if (orderAmount === undefined) throw need();
    const off = Math.floor((orderAmount * c.t_percent_off) / 100);
    return c.t_max_discount_minor === null ? off : Math.min(off, Number(c.t_max_discount_minor));
  }
  return 0;
}

/**
 * Redeems a code once. The single conditional UPDATE … WHERE redeemed_at IS NULL is what makes
 * a second redemption impossible: concurrent redeemers queue on the row lock and all but the
 * first find the condition false afterwards, and get 409 `already_redeemed`.
 */
export async function redeemCoupon(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: RedeemInput & { code: string },
): Promise<Coupon> {
  const c = await visibleCoupon(tx, p, { code: input.code });
  if (!c) throw couponProblem('not_found', locale, 'coupon_not_found');
  refuseUnusable(locale, c);
  // Against an order, the order's net amount (from sales) is the purchase amount: the threshold
  // and the discount follow the order, not a figure typed at the till.
  let orderAmount = input.orderAmountMinor;
  if (input.orderId) {
    const order = await orderForCaller(tx, p, input.orderId);
    const bad = (code: 'order_not_found' | 'order_not_usable') =>
      couponProblem('validation', locale, code, {}, [{ field: 'orderId', code, message: ct(locale, code) }]);
    if (!order) throw bad('order_not_found');
    if (order.status === 'cancelled') throw bad('order_not_usable');
    if (order.netAmountMinor !== null) orderAmount = order.netAmountMinor;
  }
  const discount = discountFor(locale, c, orderAmount, input.orderId ? 'orderId' : 'orderAmountMinor');
  const won = (
    await sql<{ id: string }>`update coupons set redeemed_at = now(), redeemed_by = ${p.userId},
        redeemed_unit_id = ${p.unitId}, redeemed_channel = ${input.channel ?? 'pos'},
        order_id = ${input.orderId ?? null}, order_amount_minor = ${orderAmount ?? null},
        discount_minor = ${discount}
      where tenant_id = ${p.tenantId} and id = ${c.id} and redeemed_at is null and voided_at is null
        and expired_at is null and (expires_at is null or expires_at > now())
        and (valid_from is null or valid_from <= now())
      returning id`.execute(tx)
  ).rows[0];
  if (!won) {
    const now = await visibleCoupon(tx, p, { id: c.id });
    refuseUnusable(locale, now);
    throw couponProblem('conflict', locale, 'already_redeemed', { at: '' });
  }
  await sql`insert into coupon_redemptions (tenant_id, id, coupon_id, template_id, by_user, unit_id, channel,
      order_id, order_amount_minor, discount_minor)
    values (${p.tenantId}, ${newId()}, ${c.id}, ${c.template_id}, ${p.userId}, ${p.unitId}, ${input.channel ?? 'pos'},
      ${input.orderId ?? null}, ${orderAmount ?? null}, ${discount})`.execute(tx);
  await emitEvent(tx, p.tenantId, {
    type: 'coupon.redeemed',
    object: 'coupon',
    recordId: c.id,
    payload: {
      couponId: c.id,
      templateId: c.template_id,
      profileId: c.profile_id,
      channel: input.channel ?? 'pos',
      discountMinor: discount,
      orderId: input.orderId ?? null,
      unitId: p.unitId,
    },
  });
  await writeAudit(tx as any, actor, {
    action: 'update',
    object: 'coupon',
    recordId: c.id,
    meta: { redeem: true },
  });
  return toCoupon(locale, await visibleCoupon(tx, p, { id: c.id }));
}

function refuseUnusable(locale: Locale, c: any) {
  const status = couponStatus(c);
  if (status === 'redeemed') {
    const at = new Date(c.redeemed_at).toLocaleString(locale, { timeZone: 'Asia/Shanghai', hour12: false });
    throw couponProblem('conflict', locale, 'already_redeemed', { at });
  }
  if (status === 'voided') throw couponProblem('conflict', locale, 'coupon_voided');
  if (status === 'expired') throw couponProblem('conflict', locale, 'coupon_expired');
  if (c.valid_from && +new Date(c.valid_from) > Date.now()) {
    const from = new Date(c.valid_from).toLocaleDateString(locale, { timeZone: 'Asia/Shanghai' });
    throw couponProblem('conflict', locale, 'not_yet_valid', { from });
  }
}

/**
 * A refund reverses the redemption: the coupon goes back to the customer when its template
 * says so (and is still within validity), otherwise it is voided. The redemption row stays,
 * marked reversed, so stats count only what was kept.
 */
export async function reverseRedemption(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  reason: 'refund' | 'mistake',
): Promise<Coupon> {
  const c = await visibleCoupon(tx, p, { id });
  if (!c) throw couponProblem('not_found', locale, 'coupon_not_found');
  const giveBack = c.t_return_on_refund || reason === 'mistake';
  const r = giveBack
    ? await sql`update coupons set redeemed_at = null, redeemed_by = null, redeemed_unit_id = null,
          redeemed_channel = null, order_id = null, order_amount_minor = null, discount_minor = null
        where tenant_id = ${p.tenantId} and id = ${id} and redeemed_at is not null returning id`.execute(tx)
    : await sql`update coupons set voided_at = now(), void_reason = ${reason}
        where tenant_id = ${p.tenantId} and id = ${id} and redeemed_at is not null and voided_at is null
        returning id`.execute(tx);
  if (!r.rows.length) throw couponProblem('conflict', locale, 'not_redeemed');
  await sql`update coupon_redemptions set reversed_at = now(), reverse_reason = ${reason}
    where tenant_id = ${p.tenantId} and coupon_id = ${id} and reversed_at is null`.execute(tx);
  await emitEvent(tx, p.tenantId, {
    type: 'coupon.reversed',
    object: 'coupon',
    recordId: id,
    payload: { couponId: id, templateId: c.template_id, profileId: c.profile_id, reason, returned: giveBack },
  });
  await writeAudit(tx as any, actor, {
    action: 'update',
    object: 'coupon',
    recordId: id,
    meta: { reverse: reason },
  });
  return toCoupon(locale, await visibleCoupon(tx, p, { id }));
}

export interface VoidCouponInput {
  couponId: string;
  /** Why, kept on the coupon (`void_reason`) and in the audit row: 'voided', 'mall_cancel' … */
  reason: string;
  actor: Actor;
}

export type VoidCouponResult =
  | { voided: true; already: boolean; templateId: string; profileId: string }
  | { voided: false; reason: 'not_found' }
  | { voided: false; reason: 'redeemed'; redeemedAt: Date };

/**
 * Voids an unused coupon, inside the caller's transaction (the points mall cancelling a
 * redemption, a manager voiding a coupon issued by mistake). The coupon row is locked first, so a
 * concurrent redemption at the till and this void cannot both win. Idempotent: a coupon already
 * voided answers `already: true` and changes nothing (no second event or audit row). A redeemed
 * coupon is not voided (`reason: 'redeemed'`): a refund goes through `reverseRedemption`.
 */
export async function voidCoupon(
  tx: Tx,
  tenantId: string,
  input: VoidCouponInput,
): Promise<VoidCouponResult> {
  const c = (
    await sql<{
      template_id: string;
      profile_id: string;
      redeemed_at: Date | null;
      voided_at: Date | null;
    }>`select template_id, profile_id, redeemed_at, voided_at from coupons
      where tenant_id = ${tenantId} and id = ${input.couponId} for update`.execute(tx)
  ).rows[0];
  if (!c) return { voided: false, reason: 'not_found' };
  const ids = { templateId: c.template_id, profileId: c.profile_id };
  if (c.voided_at) return { voided: true, already: true, ...ids };
  if (c.redeemed_at) return { voided: false, reason: 'redeemed', redeemedAt: new Date(c.redeemed_at) };
  await sql`update coupons set voided_at = now(), void_reason = ${input.reason}
    where tenant_id = ${tenantId} and id = ${input.couponId}`.execute(tx);
  await emitEvent(tx, tenantId, {
    type: 'coupon.voided',
    object: 'coupon',
    recordId: input.couponId,
    payload: { couponId: input.couponId, ...ids, reason: input.reason },
  });
  await writeAudit(tx as any, input.actor, {
    action: 'update',
    object: 'coupon',
    recordId: input.couponId,
    changes: [{ field: 'status', from: 'issued', to: 'voided' }],
    meta: { void: input.reason },
  });
  return { voided: true, already: false, ...ids };
}

/** `POST /coupons/:id/void`: a coupon the caller may handle, unused (409 otherwise; again is a no-op). */
export async function voidVisibleCoupon(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
): Promise<Coupon> {
  if (!(await visibleCoupon(tx, p, { id }))) throw couponProblem('not_found', locale, 'coupon_not_found');
  const r = await voidCoupon(tx, p.tenantId, { couponId: id, reason: 'voided', actor });
  if (!r.voided) throw couponProblem('conflict', locale, 'not_voidable');
  return toCoupon(locale, await visibleCoupon(tx, p, { id }));
}

/** Coupons of a template (its managers), or of a profile. */
export async function listCoupons(
  tx: Tx,
  p: Principal,
  locale: Locale,
  q: { templateId?: string; profileId?: string; status?: string; limit: number },
): Promise<{ items: Coupon[] }> {
  const v = await templateViewer(tx, p);
  const rows = (
    await sql<any>`select ${withTemplate} from coupons c
      join coupon_templates t on t.tenant_id = c.tenant_id and t.id = c.template_id
      where c.tenant_id = ${p.tenantId} and ${templateVisible(v)}
        and t.unit_id = any(${p.subtreeUnitIds}::uuid[])
        ${q.templateId ? sql`and c.template_id = ${q.templateId}` : sql``}
        ${q.profileId ? sql`and c.profile_id = ${q.profileId}` : sql``}
      order by c.issued_at desc limit ${q.status ? 1000 : q.limit}`.execute(tx)
  ).rows;
  const items = rows.map((r) => toCoupon(locale, r));
  return { items: (q.status ? items.filter((c) => c.status === q.status) : items).slice(0, q.limit) };
}

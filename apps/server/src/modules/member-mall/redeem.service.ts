import type {
  RedeemInput,
  Redemption,
  RedemptionAction,
  RedemptionStatus,
} from '@kehu/contracts/member-mall';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { issueCoupon, voidCoupon } from '../coupons/index.ts';
import { getMemberSummary, reverseSpend, spendPoints } from '../loyalty/index.ts';
import { mallProblem } from './member-mall.messages.ts';

export interface RedeemRequest {
  memberId: string;
  rewardId: string;
  idempotencyKey: string;
  shipping?: RedeemInput['shipping'];
  channel: 'card' | 'staff' | 'api';
  /** Staff and API callers only see rewards of their units; the card page passes null. */
  visibleUnits: string[] | null;
  by: string | null;
}

const spendKey = (key: string) => `mall:${key}`;
const mask = (s: string, keep: number) =>
  s.length <= keep ? '*'.repeat(s.length) : `${s.slice(0, keep)}***`;

export function toRedemption(r: any, full: boolean): Redemption {
  return {
    id: r.id,
    rewardId: r.reward_id,
    rewardName: r.reward_name,
    kind: r.kind,
    memberId: r.member_id,
    memberNo: r.member_no ?? null,
    points: r.points,
    status: r.status,
    channel: r.channel,
    couponCode: r.coupon_code,
    shipping: r.ship_name
      ? full
        ? { name: r.ship_name, phone: r.ship_phone, address: r.ship_address }
        : {
            name: mask(r.ship_name, 1),
            phone: `${String(r.ship_phone).slice(0, 3)}****${String(r.ship_phone).slice(-4)}`,
            address: mask(r.ship_address, 6),
          }
      : null,
    trackingNo: r.tracking_no,
    cancelReason: r.cancel_reason,
    unitId: r.unit_id,
    createdAt: new Date(r.created_at).toISOString(),
    version: r.version,
  };
}

async function byKey(tx: Tx, tenantId: string, key: string) {
  return (
    await sql<any>`select d.*, w.name as reward_name from mall_redemptions d
      join mall_rewards w on w.tenant_id = d.tenant_id and w.id = d.reward_id
      where d.tenant_id = ${tenantId} and d.idempotency_key = ${key}`.execute(tx)
  ).rows[0];
}

/**
 * Redeems a reward for a member's points, in one transaction: the stock is taken by a conditional
 * UPDATE (`stock_left > 0`, so concurrent redeemers of the last items queue on the row and the
 * losers see 0 — never oversold), the points are spent through loyalty's `spendPoints` (409
 * `loyalty.insufficient_points`), a coupon reward issues its coupon through coupons' `issueCoupon`.
 * Any failure rolls all of it back. The same idempotency key returns the first redemption.
 */
export async function redeem(
  tx: Tx,
  tenantId: string,
  req: RedeemRequest,
  locale: Locale,
): Promise<Redemption> {
  // One redemption per key at a time: a retry waits for the first and then reads it.
  await sql`select pg_advisory_xact_lock(hashtext(${`mall:${tenantId}:${req.idempotencyKey}`}))`.execute(tx);
  const again = await byKey(tx, tenantId, req.idempotencyKey);
  if (again) return toRedemption(again, true);
  const w = (
    await sql<any>`select * from mall_rewards where tenant_id = ${tenantId} and id = ${req.rewardId}
      and deleted_at is null ${req.visibleUnits ? sql`and unit_id = any(${req.visibleUnits}::uuid[])` : sql``}`.execute(
      tx,
    )
  ).rows[0];
  if (!w) throw mallProblem('not_found', locale, 'reward_unknown');
  if (w.status !== 'active') throw mallProblem('conflict', locale, 'reward_paused');
  if (w.kind === 'gift' && !req.shipping)
    throw mallProblem('validation', locale, 'shipping_required', {}, [
      { field: 'shipping', code: 'required' },
    ]);
  const member = await getMemberSummary(tx, tenantId, req.memberId);
  if (!member) throw mallProblem('not_found', locale, 'member_unknown');
  // Per-member limit: redemptions of one member queue on a member lock, so two tabs cannot both pass.
  await sql`select pg_advisory_xact_lock(hashtext(${`mall-member:${tenantId}:${req.memberId}`}))`.execute(tx);
  const held = (
    await sql<{ n: number }>`select count(*)::int as n from mall_redemptions where tenant_id = ${tenantId}
      and member_id = ${req.memberId} and reward_id = ${w.id} and status <> 'cancelled'`.execute(tx)
  ).rows[0]!.n;
  if (held >= w.per_member_limit)
    throw mallProblem('conflict', locale, 'member_limit', { limit: w.per_member_limit });
  if (w.stock_left !== null) {
    const took = await sql`update mall_rewards set stock_left = stock_left - 1
      where tenant_id = ${tenantId} and id = ${w.id} and stock_left > 0 returning stock_left`.execute(tx);
    if (!took.rows.length) throw mallProblem('conflict', locale, 'out_of_stock');
  }
  const id = newId();
  await spendPoints(tx, tenantId, {
    memberId: req.memberId,
    points: w.points_cost,
    reason: 'mall_redeem',
    ref: { object: 'mall_redemption', id },
    idempotencyKey: spendKey(req.idempotencyKey),
  });
  let coupon: { couponId: string; code: string } | null = null;
  if (w.kind === 'coupon')
    coupon = await issueCoupon(
      tx,
      tenantId,
      {
        templateId: w.coupon_template_id,
        profileId: member.profileId,
        idempotencyKey: `mall:${id}`,
        source: { kind: 'loyalty', id },
      },
      locale,
    );
  const status: RedemptionStatus =
    w.kind === 'coupon' ? 'issued' : w.kind === 'gift' ? 'pending_shipment' : 'pending_service';
  await sql`insert into mall_redemptions (tenant_id, id, reward_id, member_id, profile_id, unit_id, points, kind, status,
      idempotency_key, channel, coupon_id, coupon_code, ship_name, ship_phone, ship_address, created_by)
    values (${tenantId}, ${id}, ${w.id}, ${req.memberId}, ${member.profileId}, ${member.unitId}, ${w.points_cost},
      ${w.kind}, ${status}, ${req.idempotencyKey}, ${req.channel}, ${coupon?.couponId ?? null}, ${coupon?.code ?? null},
      ${req.shipping?.name ?? null}, ${req.shipping?.phone ?? null}, ${req.shipping?.address ?? null}, ${req.by})`.execute(
    tx,
  );
  await emitEvent(tx, tenantId, {
    type: 'mall.redeemed',
    object: 'mall_redemption',
    recordId: id,
    payload: {
      redemptionId: id,
      rewardId: w.id,
      memberId: req.memberId,
      points: w.points_cost,
      kind: w.kind,
    },
  });
  return toRedemption(await byKey(tx, tenantId, req.idempotencyKey), true);
}

const FROM: Record<RedemptionAction['action'], RedemptionStatus[]> = {
  ship: ['pending_shipment'],
  receive: ['shipped'],
  serve: ['pending_service'],
  cancel: ['pending_shipment', 'pending_service', 'issued'],
};
const TO: Record<RedemptionAction['action'], RedemptionStatus> = {
  ship: 'shipped',
  receive: 'received',
  serve: 'served',
  cancel: 'cancelled',
};

const LIST_SQL = sql`select d.*, w.name as reward_name from mall_redemptions d
  join mall_rewards w on w.tenant_id = d.tenant_id and w.id = d.reward_id`;

export async function getRedemption(tx: Tx, p: Principal, id: string) {
  const r = (
    await sql<any>`${LIST_SQL} where d.tenant_id = ${p.tenantId} and d.id = ${id}
      and d.unit_id = any(${p.subtreeUnitIds}::uuid[])`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('mall_redemption');
  return r;
}

export async function listRedemptions(
  tx: Tx,
  p: Principal,
  q: { status?: RedemptionStatus; rewardId?: string; limit?: number; offset?: number },
) {
  const where = sql`d.tenant_id = ${p.tenantId} and d.unit_id = any(${p.subtreeUnitIds}::uuid[])
    ${q.status ? sql`and d.status = ${q.status}` : sql``} ${q.rewardId ? sql`and d.reward_id = ${q.rewardId}` : sql``}`;
  const rows = (
    await sql<any>`${LIST_SQL} where ${where} order by d.created_at desc limit ${q.limit ?? 50} offset ${q.offset ?? 0}`.execute(
      tx,
    )
  ).rows;
  const total = (
    await sql<{ n: number }>`select count(*)::int as n from mall_redemptions d where ${where}`.execute(tx)
  ).rows[0]!.n;
  const full = p.permissions.includes('member_mall:fulfil') || p.permissions.includes('*');
  return { items: rows.map((r) => toRedemption(r, full)), total };
}

/**
 * Fulfilment: ship (tracking number) → receive; serve; cancel while nothing went out — points go
 * back into their original lots (`reverseSpend`) and the item back into stock. A coupon reward is
 * cancelled while its coupon is unused: coupons' `voidCoupon` (row-locked, so a redemption at the
 * till and this cancel cannot both win) voids it; a used coupon answers 409 `coupon_used` and
 * nothing changes. Conditional on the version and the state, so two people acting at once get one
 * success (one refund) and one 409.
 */
export async function actOnRedemption(tx: Tx, p: Principal, actor: Actor, id: string, a: RedemptionAction) {
  const d = await getRedemption(tx, p, id);
  if (a.action === 'ship' && !a.trackingNo)
    throw mallProblem('validation', p.locale, 'tracking_required', {}, [
      { field: 'trackingNo', code: 'required' },
    ]);
  if (!FROM[a.action].includes(d.status))
    throw mallProblem('conflict', p.locale, 'bad_transition', { status: d.status });
  const r = await sql`update mall_redemptions set status = ${TO[a.action]}, version = version + 1,
      tracking_no = ${a.action === 'ship' ? a.trackingNo! : sql.ref('tracking_no')},
      shipped_at = ${a.action === 'ship' ? sql`now()` : sql.ref('shipped_at')},
      received_at = ${a.action === 'receive' ? sql`now()` : sql.ref('received_at')},
      served_at = ${a.action === 'serve' ? sql`now()` : sql.ref('served_at')},
      cancelled_at = ${a.action === 'cancel' ? sql`now()` : sql.ref('cancelled_at')},
      cancel_reason = ${a.action === 'cancel' ? (a.reason ?? null) : sql.ref('cancel_reason')}
    where tenant_id = ${p.tenantId} and id = ${id} and version = ${a.version} and status = any(${FROM[a.action]}::text[])
    returning id`.execute(tx);
  if (!r.rows.length) throw mallProblem('conflict', p.locale, 'version_conflict');
  if (a.action === 'cancel') {
    if (d.kind === 'coupon' && d.coupon_id) {
      const v = await voidCoupon(tx, p.tenantId, { couponId: d.coupon_id, reason: 'mall_cancel', actor });
      if (!v.voided && v.reason === 'redeemed')
        throw mallProblem('conflict', p.locale, 'coupon_used', {
          code: d.coupon_code ?? '',
          at: v.redeemedAt.toLocaleString(p.locale, { timeZone: 'Asia/Shanghai', hour12: false }),
        });
    }
    await reverseSpend(tx, p.tenantId, {
      spendIdempotencyKey: spendKey(d.idempotency_key),
      reason: 'mall_cancel',
      idempotencyKey: `mall-cancel:${id}`,
    });
    await sql`update mall_rewards set stock_left = stock_left + 1
      where tenant_id = ${p.tenantId} and id = ${d.reward_id} and stock_left is not null`.execute(tx);
  }
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'mall_redemption',
    recordId: id,
    changes: [{ field: 'status', from: d.status, to: TO[a.action] }],
    meta: { ...a },
  });
  const full = p.permissions.includes('member_mall:fulfil') || p.permissions.includes('*');
  return toRedemption(await getRedemption(tx, p, id), full);
}

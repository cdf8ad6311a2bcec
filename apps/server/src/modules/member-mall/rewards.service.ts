import type { Reward, RewardInput, RewardPatch } from '@kehu/contracts/member-mall';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { mallProblem } from './member-mall.messages.ts';

const COLUMNS = sql`w.*, (select count(*) from mall_redemptions d where d.tenant_id = w.tenant_id
  and d.reward_id = w.id and d.status <> 'cancelled')::int as redeemed`;

export const toReward = (r: any): Reward => ({
  id: r.id,
  name: r.name,
  description: r.description,
  kind: r.kind,
  pointsCost: r.points_cost,
  couponTemplateId: r.coupon_template_id,
  stockTotal: r.stock_total,
  stockLeft: r.stock_left,
  perMemberLimit: r.per_member_limit,
  status: r.status,
  sort: r.sort,
  unitId: r.unit_id,
  redeemed: r.redeemed ?? 0,
  version: r.version,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Rewards of the caller's unit and below. */
export async function listRewards(tx: Tx, p: Principal) {
  const rows = (
    await sql<any>`select ${COLUMNS} from mall_rewards w where w.tenant_id = ${p.tenantId} and w.deleted_at is null
      and w.unit_id = any(${p.subtreeUnitIds}::uuid[]) order by w.sort, w.created_at desc`.execute(tx)
  ).rows;
  return { items: rows.map(toReward) };
}

export async function getReward(tx: Tx, p: Principal, id: string): Promise<Reward> {
  const r = (
    await sql<any>`select ${COLUMNS} from mall_rewards w where w.tenant_id = ${p.tenantId} and w.id = ${id}
      and w.deleted_at is null and w.unit_id = any(${p.subtreeUnitIds}::uuid[])`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('mall_reward');
  return toReward(r);
}

async function checkTemplate(tx: Tx, p: Principal, kind: string, templateId: string | null | undefined) {
  if (kind !== 'coupon') return;
  if (!templateId)
    throw mallProblem('validation', p.locale, 'coupon_template_required', {}, [
      { field: 'couponTemplateId', code: 'required' },
    ]);
  // The template must be one the caller could issue from (their unit and below).
  const ok = (
    await sql`select 1 from coupon_templates where tenant_id = ${p.tenantId} and id = ${templateId}
      and unit_id = any(${p.subtreeUnitIds}::uuid[])`.execute(tx)
  ).rows[0];
  if (!ok)
    throw mallProblem('validation', p.locale, 'coupon_template_unknown', {}, [
      { field: 'couponTemplateId', code: 'lookup_missing' },
    ]);
}

export async function createReward(tx: Tx, p: Principal, actor: Actor, input: RewardInput) {
  await checkTemplate(tx, p, input.kind, input.couponTemplateId);
  const id = newId();
  const stock = input.kind === 'coupon' ? null : (input.stock ?? null);
  await sql`insert into mall_rewards (tenant_id, id, unit_id, name, description, kind, points_cost, coupon_template_id,
      stock_total, stock_left, per_member_limit, status, sort, created_by)
    values (${p.tenantId}, ${id}, ${p.unitId}, ${input.name}, ${input.description ?? null}, ${input.kind},
      ${input.pointsCost}, ${input.kind === 'coupon' ? input.couponTemplateId! : null}, ${stock}, ${stock},
      ${input.perMemberLimit ?? 1}, ${input.status ?? 'active'}, ${input.sort ?? 0}, ${p.userId})`.execute(
    tx,
  );
  await writeAudit(tx, actor, { action: 'create', object: 'mall_reward', recordId: id, meta: { ...input } });
  return getReward(tx, p, id);
}

/**
 * `stock` sets what is left now; the total moves by the same amount, so the redeemed count stays
 * true. The version check turns a lost update into a 409; the stock change itself is relative in
 * SQL, so a redemption committing in between is never overwritten.
 */
export async function updateReward(tx: Tx, p: Principal, actor: Actor, id: string, input: RewardPatch) {
  const before = await getReward(tx, p, id);
  await checkTemplate(
    tx,
    p,
    before.kind,
    input.couponTemplateId === undefined ? before.couponTemplateId : input.couponTemplateId,
  );
  const stockSet = before.kind !== 'coupon' && input.stock !== undefined;
  const delta = stockSet && input.stock !== null ? input.stock! - (before.stockLeft ?? 0) : 0;
  const keep = (v: unknown, col: string) => (v === undefined ? sql.ref(col) : sql`${v}`);
  const r = await sql`update mall_rewards set
      name = ${keep(input.name, 'name')},
      description = ${keep(input.description, 'description')},
      points_cost = ${keep(input.pointsCost, 'points_cost')}::int,
      coupon_template_id = ${before.kind === 'coupon' ? keep(input.couponTemplateId, 'coupon_template_id') : null}::uuid,
      per_member_limit = ${keep(input.perMemberLimit, 'per_member_limit')}::int,
      status = ${keep(input.status, 'status')},
      sort = ${keep(input.sort, 'sort')}::int,
      ${
        !stockSet
          ? sql``
          : input.stock === null
            ? sql`stock_total = null, stock_left = null,`
            : sql`stock_total = coalesce(stock_total + ${delta}::int, ${input.stock}::int),
                  stock_left = coalesce(stock_left + ${delta}::int, ${input.stock}::int),`
      }
      version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id} and version = ${input.version}
      and (${!stockSet || input.stock === null} or coalesce(stock_left, 0) + ${delta}::int >= 0)
    returning id`.execute(tx);
  if (!r.rows.length) throw mallProblem('conflict', p.locale, 'version_conflict');
  await writeAudit(tx, actor, { action: 'update', object: 'mall_reward', recordId: id, meta: { ...input } });
  return getReward(tx, p, id);
}

/** Takes a reward off the mall; its redemptions stay (orders still ship). */
export async function deleteReward(tx: Tx, p: Principal, actor: Actor, id: string) {
  await getReward(tx, p, id);
  await sql`update mall_rewards set deleted_at = now(), status = 'paused', version = version + 1
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, { action: 'delete', object: 'mall_reward', recordId: id });
}

/** What a member of `unitId` may redeem: active rewards of that unit and the units above it. */
export async function rewardsForUnit(tx: Tx, tenantId: string, unitId: string): Promise<Reward[]> {
  const rows = (
    await sql<any>`select ${COLUMNS} from mall_rewards w
      join units m on m.tenant_id = w.tenant_id and m.id = ${unitId}
      join units u on u.tenant_id = w.tenant_id and u.id = w.unit_id
      where w.tenant_id = ${tenantId} and w.deleted_at is null and w.status = 'active'
        and (m.path = u.path or m.path like u.path || '%')
      order by w.sort, w.points_cost`.execute(tx)
  ).rows;
  return rows.map(toReward);
}

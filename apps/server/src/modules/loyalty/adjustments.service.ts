import type { Adjustment } from '@kehu/contracts/loyalty';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { type Decision, submitForApproval } from '../approvals/index.ts';
import { loyaltyProblem, lt } from './loyalty.messages.ts';
import { visibleMember } from './member-views.service.ts';
import { earnPoints, spendPoints, transferPoints } from './points.service.ts';

export const ADJUSTMENT_OBJECT = 'loyalty_adjustment';

const iso = (d: unknown) => new Date(d as string).toISOString();
const toAdjustment = (a: any): Adjustment => ({
  id: a.id,
  points: a.points,
  reason: a.reason,
  status: a.status,
  approvalRequestId: a.approval_request_id,
  ledgerId: a.ledger_id,
  requestedBy: null,
  createdAt: iso(a.created_at),
});

async function apply(tx: Tx, tenantId: string, a: any, locale: Locale): Promise<string> {
  const input = {
    memberId: a.member_id,
    points: Math.abs(a.points),
    reason: a.reason,
    ref: { object: ADJUSTMENT_OBJECT, id: a.id },
    idempotencyKey: `adjust:${a.id}`,
  };
  // Manual points count for the balance, not for the tier.
  const { ledgerId } =
    a.points > 0
      ? await earnPoints(tx, tenantId, input, {
          kind: 'adjust',
          qualifying: 0,
          createdBy: a.requested_by,
          locale,
        })
      : await spendPoints(tx, tenantId, input, { kind: 'adjust', createdBy: a.requested_by, locale });
  await sql`update loyalty_adjustments set status = 'applied', ledger_id = ${ledgerId}, decided_at = now(),
      version = version + 1
    where tenant_id = ${tenantId} and id = ${a.id}`.execute(tx);
  return ledgerId;
}

/**
 * A manual adjustment: up to the program's threshold it is applied at once; above it, it waits
 * for the approvals engine (flow「积分调整审批」) and is applied when approved. The same key
 * returns the first adjustment.
 */
export async function requestAdjustment(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  memberId: string,
  input: { points: number; reason: string; idempotencyKey: string },
): Promise<Adjustment> {
  const m = await visibleMember(tx, p, memberId, locale);
  const again = (
    await sql<any>`select * from loyalty_adjustments where tenant_id = ${p.tenantId}
      and idempotency_key = ${input.idempotencyKey}`.execute(tx)
  ).rows[0];
  if (again) return toAdjustment(again);
  const threshold = (
    await sql<{ t: number }>`select adjust_approval_threshold as t from loyalty_programs
      where tenant_id = ${p.tenantId} and id = ${m.program_id}`.execute(tx)
  ).rows[0]!.t;
  const id = newId();
  const needsApproval = Math.abs(input.points) > threshold;
  await sql`insert into loyalty_adjustments (tenant_id, id, member_id, points, reason, status, idempotency_key,
      requested_by, unit_id, owner_id)
    values (${p.tenantId}, ${id}, ${memberId}, ${input.points}, ${input.reason}, 'pending', ${input.idempotencyKey},
      ${p.userId}, ${m.unit_id}, ${p.userId})`.execute(tx);
  const row = (
    await sql<any>`select * from loyalty_adjustments where tenant_id = ${p.tenantId} and id = ${id}`.execute(
      tx,
    )
  ).rows[0];
  await writeAudit(tx, actor, {
    action: 'create',
    object: ADJUSTMENT_OBJECT,
    recordId: id,
    meta: { memberId, points: input.points, reason: input.reason },
  });
  if (needsApproval) {
    const request = await submitForApproval(
      tx,
      p,
      actor,
      {
        object: ADJUSTMENT_OBJECT,
        recordId: id,
        recordName: `${m.member_no} ${input.points > 0 ? '+' : ''}${input.points}`,
        facts: { points: Math.abs(input.points), direction: input.points > 0 ? 'add' : 'deduct' },
        summary: { memberNo: m.member_no, points: input.points, reason: input.reason },
        unitId: m.unit_id,
      },
      locale,
    );
    if (request) {
      await sql`update loyalty_adjustments set approval_request_id = ${request.id}
        where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
      return toAdjustment({ ...row, approval_request_id: request.id });
    }
  }
  const ledgerId = await apply(tx, p.tenantId, row, locale);
  return toAdjustment({ ...row, status: 'applied', ledger_id: ledgerId });
}

/** The approvals engine's decision on an adjustment (approval-targets.ts). */
export async function onAdjustmentDecision(
  tx: Tx,
  principal: Principal,
  _actor: Actor,
  recordId: string,
  decision: Decision,
) {
  if (decision === 'submitted') return;
  const a = (
    await sql<any>`select * from loyalty_adjustments where tenant_id = ${principal.tenantId} and id = ${recordId}
      and status = 'pending' for update`.execute(tx)
  ).rows[0];
  if (!a) return;
  if (decision === 'approved') {
    await apply(tx, principal.tenantId, a, principal.locale);
    return;
  }
  await sql`update loyalty_adjustments set status = 'rejected', decided_at = now(), version = version + 1
    where tenant_id = ${principal.tenantId} and id = ${recordId}`.execute(tx);
}

export async function transferFrom(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  memberId: string,
  input: { toMemberNo: string; points: number; idempotencyKey: string },
) {
  const from = await visibleMember(tx, p, memberId, locale);
  // The receiver is named by number (the customer tells it); any member of the same program.
  const to = (
    await sql<{ id: string }>`select id from loyalty_members where tenant_id = ${p.tenantId}
      and member_no = ${input.toMemberNo.toUpperCase()} and program_id = ${from.program_id}`.execute(tx)
  ).rows[0];
  if (!to)
    throw loyaltyProblem('validation', locale, 'member_not_found', {}, [
      { field: 'toMemberNo', code: 'member_not_found', message: lt(locale, 'member_not_found') },
    ]);
  const r = await transferPoints(
    tx,
    p.tenantId,
    {
      fromMemberId: memberId,
      toMemberId: to.id,
      points: input.points,
      idempotencyKey: input.idempotencyKey,
      createdBy: p.userId,
    },
    locale,
  );
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'loyalty_member',
    recordId: memberId,
    meta: { transfer: input.points, to: to.id },
  });
  return r;
}

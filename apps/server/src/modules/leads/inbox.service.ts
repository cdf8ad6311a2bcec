import { sql } from 'kysely';
import { can } from '../../core/auth/principal.ts';
import { AppError } from '../../core/errors.ts';
import { getRecord, type RecordCtx, recordCtx } from '../../engine/records/record.service.ts';
import { type Row, toRecord } from '../../engine/records/record-mapper.ts';

/** A salesperson's lead inbox and a lead's assignment history. */

/**
 * The salesperson's inbox: open leads owned by the caller, unanswered ones first by
 * first-response deadline (overdue ones therefore on top), then answered ones by the
 * longest time since the last follow-up.
 */
export async function inbox(ctx: RecordCtx, q: { limit?: number }) {
  const { tx, principal } = ctx;
  const limit = Math.min(q.limit ?? 100, 200);
  const rows = (
    await sql<Row>`select r.*,
        (select min(a.due_at) from activities a where a.tenant_id = r.tenant_id and a.lead_id = r.id
          and a.status = 'open' and a.due_at is not null and a.deleted_at is null) as next_follow_up_at
      from leads r where r.tenant_id = ${principal.tenantId} and r.owner_id = ${principal.userId}
        and r.status in ('new', 'contacted', 'qualified') and r.deleted_at is null
      order by (r.first_responded_at is null) desc, r.first_response_due_at asc nulls last,
        coalesce(r.last_activity_at, r.created_at) asc
      limit ${limit}`.execute(tx)
  ).rows;
  const now = Date.now();
  const items = rows.map((r) => {
    const rec = toRecord(ctx.obj, r, ctx.access);
    const due = r.first_response_due_at ? new Date(r.first_response_due_at).getTime() : null;
    const waiting = !r.first_responded_at && due !== null;
    return {
      ...rec,
      overdue: waiting && due! < now,
      dueInSeconds: waiting ? Math.round((due! - now) / 1000) : null,
      nextFollowUpAt: r.next_follow_up_at ? new Date(r.next_follow_up_at).toISOString() : null,
      followUpOverdue: r.next_follow_up_at ? new Date(r.next_follow_up_at).getTime() < now : false,
    };
  });
  const counts = (
    await sql<{ open: number; overdue: number; waiting: number }>`select count(*)::int as open,
        count(*) filter (where first_responded_at is null and first_response_due_at < now())::int as overdue,
        count(*) filter (where first_responded_at is null)::int as waiting
      from leads where tenant_id = ${principal.tenantId} and owner_id = ${principal.userId}
        and status in ('new', 'contacted', 'qualified') and deleted_at is null`.execute(tx)
  ).rows[0]!;
  return { items, counts, serverTime: new Date(now).toISOString() };
}

export async function assignmentHistory(ctx: RecordCtx, id: string) {
  await getRecord(ctx, id);
  const rows = (
    await sql<any>`select a.id, a.kind, a.rule_id, a.from_user_id, a.to_user_id, a.unit_id, a.reason, a.created_at,
        (select name from users u where u.tenant_id = a.tenant_id and u.id = a.to_user_id) as to_name,
        (select name from users u where u.tenant_id = a.tenant_id and u.id = a.from_user_id) as from_name,
        (select name from lead_assignment_rules x where x.tenant_id = a.tenant_id and x.id = a.rule_id) as rule_name
      from lead_assignments a where a.tenant_id = ${ctx.principal.tenantId} and a.lead_id = ${id} order by a.created_at`.execute(
      ctx.tx,
    )
  ).rows;
  const reasons = await Promise.all(rows.map((r) => reasonAsSeenBy(ctx, r.reason)));
  return {
    items: rows.map((r, i) => ({
      id: r.id,
      kind: r.kind,
      ruleId: r.rule_id,
      ruleName: r.rule_name,
      fromUserId: r.from_user_id,
      fromName: r.from_name,
      toUserId: r.to_user_id,
      toName: r.to_name,
      unitId: r.unit_id,
      reason: reasons[i],
      at: new Date(r.created_at).toISOString(),
    })),
  };
}

/**
 * A 撞单 decision names the record the lead matched: its id stays only for a viewer who may see
 * that record (like the duplicate warning), the owner's name always.
 */
async function reasonAsSeenBy(ctx: RecordCtx, reason: Record<string, unknown> | null) {
  if (
    reason?.code !== 'duplicate_owner' ||
    typeof reason.id !== 'string' ||
    typeof reason.object !== 'string'
  )
    return reason;
  const hidden = () => {
    const { id: _hidden, ...rest } = reason;
    return rest;
  };
  if (!can(ctx.principal, `${reason.object}:read`)) return hidden();
  try {
    await getRecord(await recordCtx(ctx.tx, ctx.principal, ctx.actor, reason.object), reason.id);
    return reason;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return hidden();
  }
}

import { sql } from 'kysely';
import { writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { emitEvents } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { isUuid } from '../../core/ids.ts';
import { getRecord, type RecordCtx } from '../../engine/records/record.service.ts';
import { type Row, toRecord } from '../../engine/records/record-mapper.ts';
import { scopeWhere } from '../../engine/records/record-sql.ts';
import { logAssignments } from './assignment.service.ts';
import { slaMinutes } from './lead.hooks.ts';
import { OPEN_STATUSES } from './lead.object.ts';
import { lockLead } from './lead-lock.ts';
import { assertNoForeignOwner, ownerName } from './lead-owners.ts';
import { leadsProblem, statusName } from './leads.messages.ts';
import { loadSettings } from './scoring.service.ts';

/** The lead pool (公海): listing, race-safe claims with limits, returns. */

/**
 * A user sees the pools of their own unit, the units below it, and the units above it (a
 * dealer's pool is shared by its stores; an HQ pool by everyone). Sibling dealers' pools
 * are never visible: they are neither above nor below.
 */
export async function poolUnitIds(tx: Tx, tenantId: string, p: RecordCtx['principal']): Promise<string[]> {
  const path = (
    await sql<{
      path: string;
    }>`select path from units where tenant_id = ${tenantId} and id = ${p.unitId}`.execute(tx)
  ).rows[0]?.path;
  const ancestors = (path ?? '').split('/').filter(Boolean);
  return [...new Set([...ancestors, ...p.subtreeUnitIds, p.unitId])];
}

export async function listPool(ctx: RecordCtx, q: { limit?: number; cursor?: string }) {
  const units = await poolUnitIds(ctx.tx, ctx.principal.tenantId, ctx.principal);
  const limit = Math.min(q.limit ?? 50, 200);
  const rows = (
    await sql<Row>`select r.*, (select name from units u where u.tenant_id = r.tenant_id and u.id = r.unit_id) as "__d_unitId"
      from leads r where r.tenant_id = ${ctx.principal.tenantId} and r.deleted_at is null and r.owner_id is null
        and r.unit_id = any(${units}::uuid[]) and (${q.cursor ?? null}::uuid is null or r.id < ${q.cursor ?? null}::uuid)
      order by r.id desc limit ${limit + 1}`.execute(ctx.tx)
  ).rows;
  const page = rows.slice(0, limit);
  const settings = await loadSettings(ctx.tx, ctx.principal.tenantId);
  return {
    items: page.map((r) => toRecord(ctx.obj, r, ctx.access)),
    nextCursor: rows.length > limit ? page[page.length - 1]!.id : null,
    limits: {
      ...settings.pool,
      ...(await claimCounts(ctx.tx, ctx.principal.tenantId, ctx.principal.userId)),
    },
  };
}

async function claimCounts(tx: Tx, tenantId: string, userId: string) {
  const r = (
    await sql<{ today: number; held: number }>`select
        (select count(*)::int from lead_assignments where tenant_id = ${tenantId} and to_user_id = ${userId} and kind = 'claim'
          and created_at >= date_trunc('day', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai') as today,
        (select count(*)::int from leads where tenant_id = ${tenantId} and owner_id = ${userId}
          and status in ('new', 'contacted', 'qualified') and deleted_at is null) as held`.execute(tx)
  ).rows[0]!;
  return { claimedToday: r.today, held: r.held };
}

export async function claimLead(ctx: RecordCtx, id: string, locale: Locale) {
  const { tx, principal } = ctx;
  const tenantId = principal.tenantId;
  if (!isUuid(id)) throw notFound('lead');
  const units = await poolUnitIds(tx, tenantId, principal);
  // Pool units reach a lead nobody holds; one already held there is named only to someone in
  // the same unit (the loser of a claim race), else it is outside the caller's sight: 404.
  const row = (
    await sql<Row>`select r.* from leads r where r.tenant_id = ${tenantId} and r.id = ${id} and r.deleted_at is null
      and ((r.unit_id = any(${units}::uuid[]) and (r.owner_id is null or r.unit_id = ${principal.unitId}))
        or ${scopeWhere(principal, ctx.obj)})`.execute(tx)
  ).rows[0];
  if (!row) throw notFound('lead');
  const alreadyOwned = async (ownerId: string | null) => {
    const owner = await ownerName(tx, tenantId, ownerId);
    return leadsProblem('conflict', locale, 'owned_by', { owner }, undefined, { ownerId, ownerName: owner });
  };
  if (row.owner_id) throw await alreadyOwned(row.owner_id);
  await assertNoForeignOwner(ctx, row, locale);
  const settings = await loadSettings(tx, tenantId);
  // Serialise one user's claims so two tabs cannot both pass the limit check.
  await sql`select pg_advisory_xact_lock(hashtextextended(${`${tenantId}:lead-claim:${principal.userId}`}, 0))`.execute(
    tx,
  );
  const counts = await claimCounts(tx, tenantId, principal.userId);
  if (counts.claimedToday >= settings.pool.claimPerDay)
    throw leadsProblem('conflict', locale, 'claim_limit_day', {
      count: counts.claimedToday,
      limit: settings.pool.claimPerDay,
    });
  if (counts.held >= settings.pool.maxHeld)
    throw leadsProblem('conflict', locale, 'claim_limit_held', {
      count: counts.held,
      limit: settings.pool.maxHeld,
    });
  const sla = slaMinutes(settings, row.channel);
  // The race is decided here: of two concurrent claims the second UPDATE waits for the
  // first to commit, re-checks `owner_id is null`, finds it false and returns no row.
  const won = (
    await sql<Row>`update leads set owner_id = ${principal.userId}, unit_id = ${principal.unitId},
        status = case when first_responded_at is null then 'new' else 'contacted' end,
        pool_id = null, pooled_at = null, sla_breached = false,
        first_response_due_at = case when first_responded_at is null then now() + make_interval(mins => ${sla}) else first_response_due_at end,
        version = version + 1, updated_at = now(), updated_by = ${principal.userId}
      where tenant_id = ${tenantId} and id = ${id} and owner_id is null and deleted_at is null
      returning id, unit_id, status`.execute(tx)
  ).rows[0];
  if (!won) {
    const now = (
      await sql<{
        owner_id: string | null;
      }>`select owner_id from leads where tenant_id = ${tenantId} and id = ${id}`.execute(tx)
    ).rows[0];
    throw await alreadyOwned(now?.owner_id ?? null);
  }
  await logAssignments(tx, tenantId, [
    {
      leadId: id,
      kind: 'claim',
      toUserId: principal.userId,
      unitId: principal.unitId,
      reason: { code: 'claimed_from_pool', poolUnitId: row.unit_id },
      actorId: principal.userId,
    },
  ]);
  await writeAudit(tx, ctx.actor, {
    action: 'lead_claimed',
    object: 'lead',
    recordId: id,
    changes: [
      { field: 'ownerId', from: null, to: principal.userId },
      { field: 'status', from: row.status, to: won.status },
    ],
    meta: { poolUnitId: row.unit_id },
  });
  await emitEvents(tx, tenantId, [
    {
      type: 'lead.claimed',
      object: 'lead',
      recordId: id,
      payload: { id, ownerId: principal.userId, poolUnitId: row.unit_id },
    },
  ]);
  return getRecord(ctx, id);
}

export async function returnToPool(ctx: RecordCtx, id: string, body: { reason: string }, locale: Locale) {
  const row = await lockLead(ctx, id);
  if (!OPEN_STATUSES.includes(row.status))
    throw leadsProblem('conflict', locale, 'not_open', { status: statusName(locale, row.status) });
  if (!body.reason?.trim())
    throw leadsProblem('validation', locale, 'return_reason', {}, [{ field: 'reason', code: 'required' }]);
  await moveToPool(ctx.tx, ctx.principal.tenantId, ctx.actor, row, 'return', {
    code: 'returned',
    note: body.reason.trim(),
  });
  // The caller may no longer see the lead (own scope): answer with what changed.
  return { id, status: 'pooled', ownerId: null, poolId: row.unit_id };
}

export async function moveToPool(
  tx: Tx,
  tenantId: string,
  actor: RecordCtx['actor'],
  row: Row,
  kind: 'return' | 'reclaim',
  reason: Record<string, unknown>,
): Promise<void> {
  await sql`update leads set owner_id = null, status = 'pooled', pool_id = unit_id, pooled_at = now(),
      status_reason = ${String(reason.note ?? reason.code)}, version = version + 1, updated_at = now(), updated_by = ${actor.actorId}
    where tenant_id = ${tenantId} and id = ${row.id}`.execute(tx);
  await logAssignments(tx, tenantId, [
    { leadId: row.id, kind, fromUserId: row.owner_id, unitId: row.unit_id, reason, actorId: actor.actorId },
  ]);
  await writeAudit(tx, actor, {
    action: kind === 'return' ? 'lead_returned' : 'lead_reclaimed',
    object: 'lead',
    recordId: row.id,
    changes: [
      { field: 'ownerId', from: row.owner_id, to: null },
      { field: 'status', from: row.status, to: 'pooled' },
    ],
    meta: reason,
  });
  await emitEvents(tx, tenantId, [
    {
      type: 'lead.pooled',
      object: 'lead',
      recordId: row.id,
      payload: { id: row.id, from: row.owner_id, kind, reason },
    },
  ]);
}

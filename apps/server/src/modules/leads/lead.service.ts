import { sql } from 'kysely';
import { writeAudit } from '../../platform/audit/audit.ts';
import type { Tx } from '../../platform/db/tenant-scope.ts';
import { forbidden, notFound } from '../../platform/errors.ts';
import { emitEvents } from '../../platform/events/outbox.ts';
import type { Locale } from '../../platform/i18n/locale.ts';
import { isUuid } from '../../platform/ids.ts';
import { can } from '../../platform/permissions/principal.ts';
import { normalisePhone } from '../../records/field-types.ts';
import {
  createRecords,
  getRecord,
  type RecordCtx,
  recordCtx,
  updateRecords,
} from '../../records/record.service.ts';
import { type Row, toRecord } from '../../records/record-mapper.ts';
import { scopeWhere } from '../../records/record-sql.ts';
import { isStandardObject } from '../../records/standard-objects.ts';
import { notify } from '../notifications/notifications.service.ts';
import { logAssignments } from './assignment.service.ts';
import { findDuplicates, slaMinutes } from './lead.hooks.ts';
import { type LeadStatus, OPEN_STATUSES } from './lead.object.ts';
import { leadsProblem, lt, statusName } from './leads.messages.ts';
import { loadSettings } from './scoring.service.ts';

/** Guarded status transitions (R3, quality bar): anything else is a 409 with both names. */
const TRANSITIONS: Record<LeadStatus, LeadStatus[]> = {
  new: ['contacted', 'qualified', 'disqualified'],
  contacted: ['qualified', 'disqualified'],
  qualified: ['contacted', 'disqualified'],
  disqualified: ['new'],
  // Leaving the pool is a claim; leaving converted is not possible.
  pooled: [],
  converted: [],
};

async function lockLead(ctx: RecordCtx, id: string): Promise<Row> {
  if (!isUuid(id)) throw notFound('lead');
  const row = (
    await sql<Row>`select r.* from leads r where r.tenant_id = ${ctx.principal.tenantId} and r.deleted_at is null
      and ${scopeWhere(ctx.principal, ctx.obj)} and r.id = ${id} for update`.execute(ctx.tx)
  ).rows[0];
  if (!row) throw notFound('lead');
  return row;
}

export async function changeStatus(
  ctx: RecordCtx,
  id: string,
  body: { status: LeadStatus; reason?: string; version?: number },
  locale: Locale,
) {
  const row = await lockLead(ctx, id);
  const from = row.status as LeadStatus;
  if (!TRANSITIONS[from]?.includes(body.status))
    throw leadsProblem('conflict', locale, 'transition', {
      from: statusName(locale, from),
      to: statusName(locale, body.status),
    });
  if (body.status === 'disqualified' && !body.reason?.trim())
    throw leadsProblem('validation', locale, 'reason_required', {}, [{ field: 'reason', code: 'required' }]);
  const changes: Record<string, unknown> = { status: body.status, statusReason: body.reason?.trim() || null };
  if (body.status === 'new' && from === 'disqualified') {
    const settings = await loadSettings(ctx.tx, ctx.principal.tenantId);
    changes.firstResponseDueAt = new Date(
      Date.now() + slaMinutes(settings, row.channel) * 60_000,
    ).toISOString();
  }
  await updateRecords(ctx, [{ id, version: body.version, changes }], { trusted: true, via: 'lead_status' });
  await emitEvents(ctx.tx, ctx.principal.tenantId, [
    {
      type: 'lead.status_changed',
      object: 'lead',
      recordId: id,
      payload: { id, from, to: body.status, reason: body.reason ?? null },
    },
  ]);
  return getRecord(ctx, id);
}

// ------------------------------------------------------------------ pool (公海)

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

async function ownerName(tx: Tx, tenantId: string, userId: string | null): Promise<string> {
  if (!userId) return '?';
  return (
    (
      await sql<{
        name: string;
      }>`select name from users where tenant_id = ${tenantId} and id = ${userId}`.execute(tx)
    ).rows[0]?.name ?? '?'
  );
}

/** 撞单 guard: the lead duplicates a prospect someone else owns. */
async function assertNoForeignOwner(ctx: RecordCtx, row: Row, locale: Locale): Promise<void> {
  if (!row.duplicate_of_id) return;
  const table = row.duplicate_of_object === 'customer' ? 'customers' : 'leads';
  const hit = (
    await sql<{ owner_id: string | null; name: string }>`select owner_id, name from ${sql.table(table)}
      where tenant_id = ${ctx.principal.tenantId} and id = ${row.duplicate_of_id} and deleted_at is null`.execute(
      ctx.tx,
    )
  ).rows[0];
  if (!hit?.owner_id || hit.owner_id === ctx.principal.userId) return;
  if (table === 'leads') {
    const st = (
      await sql<{
        status: string;
      }>`select status from leads where tenant_id = ${ctx.principal.tenantId} and id = ${row.duplicate_of_id}`.execute(
        ctx.tx,
      )
    ).rows[0]?.status;
    if (st === 'disqualified') return;
  }
  const owner = await ownerName(ctx.tx, ctx.principal.tenantId, hit.owner_id);
  throw leadsProblem(
    'conflict',
    locale,
    'duplicate_owned',
    { owner, object: lt(locale, `object_${row.duplicate_of_object ?? 'lead'}`), name: hit.name },
    undefined,
    { ownerId: hit.owner_id, ownerName: owner, duplicateOfId: row.duplicate_of_id },
  );
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

async function moveToPool(
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

// ------------------------------------------------------------------ inbox

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
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      ruleId: r.rule_id,
      ruleName: r.rule_name,
      fromUserId: r.from_user_id,
      fromName: r.from_name,
      toUserId: r.to_user_id,
      toName: r.to_name,
      unitId: r.unit_id,
      reason: r.reason,
      at: new Date(r.created_at).toISOString(),
    })),
  };
}

/** Duplicate check before save (the form calls it as the user types). */
export async function checkDuplicates(
  ctx: RecordCtx,
  q: { phone?: string; email?: string; company?: string; excludeId?: string },
) {
  const phone = q.phone ? normalisePhone(q.phone) : null;
  const [m] = await findDuplicates(
    ctx,
    [{ phone, email: q.email?.trim() || null, company: q.company?.trim() || null }],
    q.excludeId && isUuid(q.excludeId) ? [q.excludeId] : [],
  );
  const duplicate = m ? await duplicateAsSeenBy(ctx, m.object, m.id, m.on) : null;
  return { duplicate, ownedByOther: duplicate?.ownedByOther ?? false };
}

/**
 * A duplicate is reported across units so nobody chases a taken customer (撞单): that it exists,
 * who owns it and in which unit, always. Its id and fields (name, owner id) only to a caller whose
 * data scope covers it: anything more would let a lookup by phone walk records they may not read.
 */
async function duplicateAsSeenBy(
  ctx: RecordCtx,
  object: 'lead' | 'customer',
  id: string,
  on: 'phone' | 'email' | 'company' | null,
) {
  const c = object === ctx.obj.apiName ? ctx : await recordCtx(ctx.tx, ctx.principal, ctx.actor, object);
  const row = (
    await sql<{
      name: string;
      owner_id: string | null;
      owner_name: string | null;
      unit_name: string | null;
      visible: boolean;
    }>`select r.name, r.owner_id, u.name as owner_name, un.name as unit_name,
        (${scopeWhere(ctx.principal, c.obj)}) as visible
      from ${sql.table(c.obj.table!)} r
      left join users u on u.tenant_id = r.tenant_id and u.id = r.owner_id
      left join units un on un.tenant_id = r.tenant_id and un.id = coalesce(u.unit_id, r.unit_id)
      where r.tenant_id = ${ctx.principal.tenantId} and r.id = ${id}`.execute(ctx.tx)
  ).rows[0];
  if (!row) return null;
  const ownedByOther = !!row.owner_id && row.owner_id !== ctx.principal.userId;
  const who = { object, on, ownerName: row.owner_name, ownerUnitName: row.unit_name, ownedByOther };
  if (!row.visible) return { ...who, visible: false, id: null, name: null, ownerId: null };
  return { ...who, visible: true, id, name: row.name, ownerId: row.owner_id };
}

/** The record a lead duplicates and who owns it (the 撞单 warning on the lead page). */
export async function duplicateOf(ctx: RecordCtx, id: string) {
  const lead = await getRecord(ctx, id);
  if (!lead.duplicateOfId) return { duplicate: null };
  const object = lead.duplicateOfObject === 'customer' ? 'customer' : 'lead';
  return { duplicate: await duplicateAsSeenBy(ctx, object, lead.duplicateOfId as string, null) };
}

const MERGE_FIELDS = [
  'company',
  'phone',
  'email',
  'title',
  'region',
  'industry',
  'need',
  'budget',
  'companySize',
  'decisionChain',
  'campaign',
  'remark',
];

/**
 * Merges a duplicate lead into the lead it duplicates (R3.5 "merge"): empty fields of the
 * surviving lead are filled from the duplicate, the duplicate's activities move over, and the
 * duplicate is closed as disqualified with the reason. Both must be visible and open.
 */
export async function mergeLead(ctx: RecordCtx, id: string, intoId: string, locale: Locale) {
  if (id === intoId)
    throw leadsProblem('validation', locale, 'merge_self', {}, [{ field: 'intoId', code: 'merge_self' }]);
  const [a, b] = id < intoId ? [id, intoId] : [intoId, id];
  // Lock in id order so two opposite merges cannot deadlock.
  const first = await lockLead(ctx, a);
  const second = await lockLead(ctx, b);
  const source = first.id === id ? first : second;
  const target = first.id === id ? second : first;
  for (const r of [source, target])
    if (!OPEN_STATUSES.includes(r.status) && r.status !== 'pooled')
      throw leadsProblem('conflict', locale, 'not_open', { status: statusName(locale, r.status) });
  const changes: Record<string, unknown> = {};
  for (const name of MERGE_FIELDS) {
    const f = ctx.obj.fields.find((x) => x.apiName === name)!;
    if (
      (target[f.column!] === null || target[f.column!] === undefined) &&
      source[f.column!] !== null &&
      source[f.column!] !== undefined
    )
      changes[name] =
        source[f.column!] instanceof Date ? (source[f.column!] as Date).toISOString() : source[f.column!];
  }
  if (Object.keys(changes).length)
    await updateRecords(ctx, [{ id: target.id, changes }], { trusted: true, via: 'lead_merge' });
  const moved =
    await sql`update activities set lead_id = ${target.id} where tenant_id = ${ctx.principal.tenantId}
    and lead_id = ${source.id} and deleted_at is null returning id`.execute(ctx.tx);
  await updateRecords(
    ctx,
    [
      {
        id: source.id,
        changes: {
          status: 'disqualified',
          statusReason: `merged:${target.id}`,
          duplicateOfId: target.id,
          duplicateOfObject: 'lead',
        },
      },
    ],
    { trusted: true, via: 'lead_merge' },
  );
  await emitEvents(ctx.tx, ctx.principal.tenantId, [
    {
      type: 'lead.merged',
      object: 'lead',
      recordId: target.id,
      payload: {
        id: target.id,
        mergedId: source.id,
        fields: Object.keys(changes),
        activitiesMoved: moved.rows.length,
      },
    },
  ]);
  return {
    id: target.id,
    mergedId: source.id,
    fields: Object.keys(changes),
    activitiesMoved: moved.rows.length,
  };
}

// ------------------------------------------------------------------ conversion

export interface ConvertInput {
  customer?: { id: string } | { new: Record<string, unknown> };
  contact?: { id: string } | { new: Record<string, unknown> } | null;
  opportunity?: { name: string; amount?: { amount: number; currency: string } } | null;
}

/**
 * R3.6 conversion as named steps in one transaction: lock and check the lead → customer
 * (link or create) → contact (link or create) → opportunity (optional) → mark the lead
 * converted with its links → move the lead's activities onto the customer.
 */
export async function convertLead(ctx: RecordCtx, id: string, input: ConvertInput, locale: Locale) {
  const { tx, principal, actor } = ctx;
  // step 1: lock the lead and check it may be converted by this user
  const row = await lockLead(ctx, id);
  if (!OPEN_STATUSES.includes(row.status))
    throw leadsProblem('conflict', locale, 'not_open', { status: statusName(locale, row.status) });
  const linksExisting = input.customer && 'id' in input.customer;
  if (!linksExisting || (input.customer as { id: string }).id !== row.duplicate_of_id)
    await assertNoForeignOwner(ctx, row, locale);

  // step 2: customer
  const customerCtx = await recordCtx(tx, principal, actor, 'customer');
  let customerId: string;
  if (input.customer && 'id' in input.customer) {
    customerId = (await getRecord(customerCtx, input.customer.id)).id;
  } else {
    if (!can(principal, 'customer:create')) throw forbidden('customer:create');
    const given = input.customer && 'new' in input.customer ? input.customer.new : {};
    const [r] = await createRecords(
      customerCtx,
      [
        {
          name: row.company || row.name,
          kind: row.company ? 'company' : 'person',
          phone: row.company ? null : row.phone,
          email: row.company ? null : row.email,
          industry: row.industry,
          region: row.region,
          source: leadSourceToCustomerSource(row.channel),
          ...given,
        },
      ],
      { via: 'lead_conversion' },
    );
    customerId = r!.id!;
  }

  // step 3: contact
  let contactId: string | null = null;
  if (input.contact && 'id' in input.contact) {
    contactId = (await getRecord(await recordCtx(tx, principal, actor, 'contact'), input.contact.id)).id;
  } else if (input.contact !== null) {
    if (!can(principal, 'contact:create')) throw forbidden('contact:create');
    const given = input.contact && 'new' in input.contact ? input.contact.new : {};
    const [r] = await createRecords(
      await recordCtx(tx, principal, actor, 'contact'),
      [
        {
          name: row.name,
          phone: row.phone,
          email: row.email,
          title: row.title,
          customerId,
          isPrimary: true,
          ...given,
        },
      ],
      { via: 'lead_conversion' },
    );
    contactId = r!.id!;
  }

  // step 4: opportunity (the sales module's object, created through the engine)
  let opportunityId: string | null = null;
  if (input.opportunity) {
    if (!isStandardObject('opportunity'))
      throw leadsProblem('validation', locale, 'opportunity_unavailable', {}, [
        { field: 'opportunity', code: 'unavailable' },
      ]);
    if (!can(principal, 'opportunity:create')) throw forbidden('opportunity:create');
    const [r] = await createRecords(
      await recordCtx(tx, principal, actor, 'opportunity'),
      [
        {
          name: input.opportunity.name,
          customerId,
          contactId,
          leadId: id,
          ...(input.opportunity.amount ? { amount: input.opportunity.amount } : {}),
        },
      ],
      { trusted: true, via: 'lead_conversion' },
    );
    opportunityId = r!.id!;
  }

  // step 5: the lead becomes converted and keeps its links
  await updateRecords(
    ctx,
    [
      {
        id,
        changes: {
          status: 'converted',
          convertedCustomerId: customerId,
          convertedContactId: contactId,
          convertedOpportunityId: opportunityId,
          convertedAt: new Date().toISOString(),
        },
      },
    ],
    { trusted: true, via: 'lead_conversion' },
  );

  // step 6: the customer timeline keeps the lead's whole history
  const moved = await sql`update activities set customer_id = ${customerId},
      contact_id = coalesce(contact_id, ${contactId}::uuid),
      opportunity_id = coalesce(opportunity_id, ${opportunityId}::text)
    where tenant_id = ${principal.tenantId} and lead_id = ${id} and deleted_at is null and customer_id is null
    returning id`.execute(tx);
  await emitEvents(tx, principal.tenantId, [
    {
      type: 'lead.converted',
      object: 'lead',
      recordId: id,
      payload: {
        id,
        customerId,
        contactId,
        opportunityId,
        activitiesMoved: moved.rows.length,
        channel: row.channel,
      },
    },
  ]);
  return { leadId: id, customerId, contactId, opportunityId, activitiesMoved: moved.rows.length };
}

function leadSourceToCustomerSource(channel: string | null): string | null {
  switch (channel) {
    case 'web_form':
      return 'website';
    case 'referral':
      return 'referral';
    case 'exhibition':
      return 'exhibition';
    case 'wecom':
      return 'wecom';
    case 'ad':
      return 'ad';
    case 'call_center':
      return 'phone';
    case 'walk_in':
      return 'walk_in';
    default:
      return null;
  }
}

// ------------------------------------------------------------------ background (system)

const SYSTEM = (tenantId: string) => ({ tenantId, actorId: null, actorKind: 'system' as const });

/**
 * SLA breaches: unanswered leads past their deadline are flagged, the owner is told, and the
 * owner's managers are escalated to: users holding `lead:update` with a unit_tree or tenant
 * scope on leads whose unit is the owner's unit or above it, nearest level first.
 */
export async function runSlaScan(tx: Tx, tenantId: string): Promise<{ breached: number; escalated: number }> {
  const rows = (
    await sql<{
      id: string;
      owner_id: string;
      name: string;
      company: string | null;
      first_response_due_at: Date;
      unit_id: string;
    }>`
      update leads set sla_breached = true, version = version + 1, updated_at = now()
      where tenant_id = ${tenantId} and first_responded_at is null and not sla_breached and deleted_at is null
        and owner_id is not null and status in ('new', 'contacted', 'qualified') and first_response_due_at < now()
      returning id, owner_id, name, company, first_response_due_at, unit_id`.execute(tx)
  ).rows;
  let escalated = 0;
  for (const l of rows) {
    const managers = await managersOf(tx, tenantId, l.owner_id);
    await writeAudit(tx, SYSTEM(tenantId), {
      action: 'lead_sla_breached',
      object: 'lead',
      recordId: l.id,
      changes: [{ field: 'slaBreached', from: false, to: true }],
      meta: { dueAt: new Date(l.first_response_due_at).toISOString(), escalatedTo: managers },
    });
    await emitEvents(tx, tenantId, [
      {
        type: 'lead.sla_breached',
        object: 'lead',
        recordId: l.id,
        payload: { id: l.id, ownerId: l.owner_id, escalatedTo: managers },
      },
    ]);
    const who = l.company ? `${l.name}（${l.company}）` : l.name;
    const owner = await ownerName(tx, tenantId, l.owner_id);
    await notify(tx, tenantId, {
      userIds: [l.owner_id],
      kind: 'lead.sla_breached',
      title: { 'zh-CN': `线索响应超时：${who}`, 'en-US': `First response overdue: ${who}` },
      body: {
        'zh-CN': '已超过首次响应时限，已通知你的主管',
        'en-US': 'The first-response deadline has passed; your manager was notified',
      },
      link: `/leads/inbox`,
      object: 'lead',
      recordId: l.id,
    });
    if (managers.length) {
      escalated++;
      await notify(tx, tenantId, {
        userIds: managers,
        kind: 'lead.sla_escalated',
        title: {
          'zh-CN': `超时升级：${owner} 未按时响应 ${who}`,
          'en-US': `Escalation: ${owner} missed the first response to ${who}`,
        },
        link: `/leads/inbox/${l.id}`,
        object: 'lead',
        recordId: l.id,
      });
    }
  }
  return { breached: rows.length, escalated };
}

export async function managersOf(tx: Tx, tenantId: string, userId: string): Promise<string[]> {
  const rows = (
    await sql<{ id: string; depth: number }>`
      with owner as (select u.unit_id, x.path from users u join units x on x.tenant_id = u.tenant_id and x.id = u.unit_id
                     where u.tenant_id = ${tenantId} and u.id = ${userId})
      select distinct m.id, mu.depth from users m
        join units mu on mu.tenant_id = m.tenant_id and mu.id = m.unit_id
        join user_roles ur on ur.tenant_id = m.tenant_id and ur.user_id = m.id
        join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id, owner o
      where m.tenant_id = ${tenantId} and m.id <> ${userId} and m.status = 'active'
        and o.path like mu.path || '%'
        and (r.permissions && array['lead:update', 'lead:*', '*']::text[])
        and coalesce(r.data_scopes->>'lead', r.data_scopes->>'*') in ('unit_tree', 'tenant')`.execute(tx)
  ).rows;
  if (rows.length === 0) return [];
  const nearest = Math.max(...rows.map((r) => r.depth));
  return rows.filter((r) => r.depth === nearest).map((r) => r.id);
}

/** Follow-up reminders: open activities whose `dueAt` has come, once each. */
export async function runReminders(tx: Tx, tenantId: string): Promise<number> {
  const rows = (
    await sql<{
      id: string;
      owner_id: string;
      subject: string | null;
      lead_id: string | null;
      customer_id: string | null;
    }>`
      update activities set reminded_at = now()
      where tenant_id = ${tenantId} and status = 'open' and due_at <= now() and reminded_at is null and deleted_at is null
      returning id, owner_id, subject, lead_id, customer_id`.execute(tx)
  ).rows;
  for (const a of rows)
    await notify(tx, tenantId, {
      userIds: [a.owner_id],
      kind: 'activity.due',
      title: {
        'zh-CN': `跟进提醒：${a.subject ?? '待办'}`,
        'en-US': `Follow-up due: ${a.subject ?? 'task'}`,
      },
      link: a.lead_id
        ? `/leads/inbox/${a.lead_id}`
        : a.customer_id
          ? `/o/customer/${a.customer_id}`
          : `/o/activity/${a.id}`,
      object: 'activity',
      recordId: a.id,
    });
  return rows.length;
}

/** Reclaim rule: owned open leads with no follow-up for `reclaimDays` go back to their unit's pool. */
export async function runReclaim(tx: Tx, tenantId: string): Promise<number> {
  const settings = await loadSettings(tx, tenantId);
  const days = settings.pool.reclaimDays;
  if (!days || days <= 0) return 0;
  const rows = (
    await sql<Row>`select * from leads where tenant_id = ${tenantId} and owner_id is not null and deleted_at is null
      and status in ('new', 'contacted', 'qualified')
      and coalesce(last_activity_at, created_at) < now() - make_interval(days => ${days})
      order by id limit 1000 for update skip locked`.execute(tx)
  ).rows;
  for (const r of rows) {
    await moveToPool(tx, tenantId, SYSTEM(tenantId), r, 'reclaim', { code: 'no_follow_up', days });
    await notify(tx, tenantId, {
      userIds: [r.owner_id],
      kind: 'lead.reclaimed',
      title: {
        'zh-CN': `线索已收回公海：${r.name}（${days} 天未跟进）`,
        'en-US': `Lead returned to the pool: ${r.name} (no follow-up in ${days} days)`,
      },
      object: 'lead',
      recordId: r.id,
    });
  }
  return rows.length;
}

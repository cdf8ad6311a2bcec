import { sql } from 'kysely';
import { emitEvents } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { isUuid } from '../../core/ids.ts';
import { normalisePhone } from '../../engine/records/field-types.ts';
import { getRecord, type RecordCtx, recordCtx, updateRecords } from '../../engine/records/record.service.ts';
import { scopeWhere } from '../../engine/records/record-sql.ts';
import { findDuplicates } from './lead.hooks.ts';
import { OPEN_STATUSES } from './lead.object.ts';
import { lockLead } from './lead-lock.ts';
import { leadsProblem, statusName } from './leads.messages.ts';

/** Duplicate leads (撞单): the check while typing, the warning on a lead, merging a duplicate. */

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

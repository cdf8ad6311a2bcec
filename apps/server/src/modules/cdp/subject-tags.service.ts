import { sql } from 'kysely';
import { can } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { getRecord, recordCtx } from '../../engine/records/record.service.ts';
import { toRecord } from '../../engine/records/record-mapper.ts';
import { baseWhere, scopeWhere } from '../../engine/records/record-sql.ts';
import { recordSource } from './record-source.ts';
import type { Viewer } from './viewer.ts';

/** What a subject (a profile or any record) carries: its tags and segments, read as the viewer. */

/**
 * Display names of records as the viewer sees them in record lists: the record engine's scope
 * predicate and field masking. Records outside the viewer's scope (or object) are left out.
 */
export async function recordNames(
  tx: Tx,
  viewer: Viewer,
  object: string,
  ids: string[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  if (!ids.length || !can(viewer.principal, `${object}:read`)) return out;
  const ctx = await recordCtx(tx, viewer.principal, viewer.actor, object);
  const rows = (
    await sql<any>`select r.* from ${sql.table(ctx.obj.table)} as r
      where ${baseWhere(ctx.obj, viewer.principal.tenantId)} and ${scopeWhere(viewer.principal, ctx.obj)}
        and r.id = any(${ids}::uuid[])`.execute(tx)
  ).rows;
  for (const row of rows) {
    const rec = toRecord(ctx.obj, row, ctx.access);
    const name = rec[ctx.obj.nameField];
    out.set(row.id, name === null || name === undefined ? null : String(name));
  }
  return out;
}

/**
 * The tags and segments of one subject: a profile, or a record read through the record engine
 * as the viewer (no read permission on the object, out of scope and unknown all look the same: 404).
 */
export async function subjectTags(tx: Tx, viewer: Viewer, object: string, id: string) {
  const tenantId = viewer.principal.tenantId;
  if (object === 'profile') {
    if (!(await subjectExists(tx, tenantId, 'profile', id))) throw notFound('profile');
  } else {
    if (!can(viewer.principal, `${object}:read`)) throw notFound(object);
    await getRecord(await recordCtx(tx, viewer.principal, viewer.actor, object), id);
  }
  return { object, id, ...(await subjectTagsOf(tx, tenantId, object, id)) };
}

/** A subject's tags (when, by whom, why) and segments: one reader for profiles and records. */
export async function subjectTagsOf(tx: Tx, tenantId: string, object: string, id: string) {
  const tags = await sql<any>`select t.id, t.key, t.name, t.kind, t.description, g.name as group_name,
      st.value, st.set_at, st.set_by, u.name as set_by_name, st.reason
    from cdp_subject_tags st join cdp_tags t on t.tenant_id = st.tenant_id and t.id = st.tag_id
    left join cdp_tag_groups g on g.tenant_id = t.tenant_id and g.id = t.group_id
    left join users u on u.tenant_id = st.tenant_id and u.id = st.set_by
    where st.tenant_id = ${tenantId} and st.subject_id = ${id} and t.object = ${object}
    order by st.set_at desc, t.name`.execute(tx);
  const segments = await sql<any>`select s.id, s.name, s.purpose, m.entered_at
    from cdp_segment_members m join cdp_segments s on s.tenant_id = m.tenant_id and s.id = m.segment_id
    where m.tenant_id = ${tenantId} and m.subject_id = ${id} and s.object = ${object} order by s.name`.execute(
    tx,
  );
  return {
    tags: tags.rows.map((t) => ({
      id: t.id as string,
      key: t.key as string,
      name: t.name as string,
      kind: t.kind as string,
      description: t.description as string | null,
      groupName: t.group_name as string | null,
      value: t.value,
      setAt: t.set_at,
      setBy: t.set_by as string | null,
      setByName: t.set_by_name as string | null,
      reason: t.reason,
    })),
    segments: segments.rows.map((s) => ({
      id: s.id as string,
      name: s.name as string,
      purpose: s.purpose as string,
      enteredAt: s.entered_at,
    })),
  };
}

export async function subjectExists(tx: Tx, tenantId: string, object: string, id: string): Promise<boolean> {
  if (object === 'profile')
    return (
      (await sql`select 1 from cdp_profiles where tenant_id = ${tenantId} and id = ${id}`.execute(tx)).rows
        .length > 0
    );
  const src = recordSource(object);
  return (
    (await sql`select 1 from ${src.table} where ${src.where(tenantId)} and r.id = ${id}`.execute(tx)).rows
      .length > 0
  );
}

import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { conflict, notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';

/** Tag groups of the tag catalogue. */

const groupConflict = (e: unknown, name: string) => {
  if ((e as { code?: string }).code === '23505') throw conflict('conflict.exists', { what: name });
  throw e;
};

export async function createTagGroup(
  tx: Tx,
  actor: Actor,
  input: { name: string; description?: string | null },
) {
  const id = newId();
  const dup =
    await sql`select 1 from cdp_tag_groups where tenant_id = ${actor.tenantId} and name = ${input.name}`.execute(
      tx,
    );
  if (dup.rows.length) groupConflict({ code: '23505' }, input.name);
  await sql`insert into cdp_tag_groups (tenant_id, id, name, description) values (${actor.tenantId}, ${id}, ${input.name}, ${input.description ?? null})`
    .execute(tx)
    .catch((e) => groupConflict(e, input.name));
  await writeAudit(tx, actor, {
    action: 'create',
    object: 'cdp_tag_group',
    recordId: id,
    meta: { name: input.name },
  });
  return { id, name: input.name, description: input.description ?? null, tagCount: 0 };
}

export async function updateTagGroup(
  tx: Tx,
  actor: Actor,
  id: string,
  input: { name?: string; description?: string | null },
) {
  if (input.name) {
    const dup =
      await sql`select 1 from cdp_tag_groups where tenant_id = ${actor.tenantId} and name = ${input.name} and id <> ${id}`.execute(
        tx,
      );
    if (dup.rows.length) groupConflict({ code: '23505' }, input.name);
  }
  const r = await sql<any>`update cdp_tag_groups set name = coalesce(${input.name ?? null}, name),
      description = ${input.description !== undefined ? sql`${input.description}` : sql`description`}
    where tenant_id = ${actor.tenantId} and id = ${id} returning id, name, description,
      (select count(*)::int from cdp_tags t where t.tenant_id = ${actor.tenantId} and t.group_id = ${id}) as tag_count`.execute(
    tx,
  );
  const g = r.rows[0];
  if (!g) throw notFound('tag_group');
  await writeAudit(tx, actor, { action: 'update', object: 'cdp_tag_group', recordId: id, meta: input });
  // One shape for a group in every answer: created, listed or renamed.
  return { id: g.id, name: g.name, description: g.description, tagCount: g.tag_count };
}

/** A group is deleted only when empty: its tags would otherwise silently lose their grouping. */
export async function deleteTagGroup(tx: Tx, actor: Actor, id: string) {
  const g = (
    await sql<{
      name: string;
      n: number;
    }>`select g.name, (select count(*)::int from cdp_tags t where t.tenant_id = g.tenant_id and t.group_id = g.id) as n
      from cdp_tag_groups g where g.tenant_id = ${actor.tenantId} and g.id = ${id}`.execute(tx)
  ).rows[0];
  if (!g) throw notFound('tag_group');
  if (g.n > 0) throw conflict('conflict.in_use', { what: g.name });
  await sql`delete from cdp_tag_groups where tenant_id = ${actor.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'delete',
    object: 'cdp_tag_group',
    recordId: id,
    meta: { name: g.name },
  });
}

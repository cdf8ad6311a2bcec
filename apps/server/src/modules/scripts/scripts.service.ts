import {
  SCRIPTS_PERMISSIONS,
  type Script,
  type ScriptInput,
  type ScriptPatch,
  type ScriptUsage,
} from '@kehu/contracts/scripts';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { forbidden, invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { indexText } from '../../core/text/words.ts';
import { canEdit, type ScriptViewer, scriptViewer, visibleWhere } from './script-access.ts';
import { st } from './scripts.messages.ts';

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

/** Columns every script read selects (over `s`), with the caller's own use count. */
export const scriptColumns = (userId: string) => sql`s.*,
  (select name from units u where u.tenant_id = s.tenant_id and u.id = s.unit_id) as unit_name,
  (select name from users a where a.tenant_id = s.tenant_id and a.id = s.author_id) as author_name,
  (select case when c.parent_id is null then c.name else p.name || ' / ' || c.name end
     from script_categories c left join script_categories p on p.tenant_id = c.tenant_id and p.id = c.parent_id
     where c.tenant_id = s.tenant_id and c.id = s.category_id) as category_path,
  coalesce((select uses from script_uses m where m.tenant_id = s.tenant_id and m.script_id = s.id
     and m.user_id = ${userId}), 0) as my_use_count`;

export function toScript(v: ScriptViewer, r: any): Script {
  return {
    id: r.id,
    title: r.title,
    body: r.body,
    categoryId: r.category_id,
    categoryPath: r.category_path ?? null,
    scope: r.scope,
    unitId: r.unit_id,
    unitName: r.unit_name ?? null,
    authorId: r.author_id,
    authorName: r.author_name ?? null,
    stages: r.stages ?? [],
    tags: r.tags ?? [],
    enabled: r.enabled,
    useCount: r.use_count,
    myUseCount: r.my_use_count ?? 0,
    lastUsedAt: iso(r.last_used_at),
    canEdit: canEdit(v, r),
    ...(r.score !== undefined && r.score !== null ? { score: Number(r.score) } : {}),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

async function loadVisible(tx: Tx, v: ScriptViewer, id: string): Promise<any> {
  const p = v.principal;
  const row = (
    await sql<any>`select ${scriptColumns(p.userId)} from scripts s
      where s.tenant_id = ${p.tenantId} and s.id = ${id} and ${visibleWhere(v)}`.execute(tx)
  ).rows[0];
  if (!row) throw notFound('script');
  return row;
}

export async function getScript(tx: Tx, p: Principal, id: string): Promise<Script> {
  const v = await scriptViewer(tx, p);
  return toScript(v, await loadVisible(tx, v, id));
}

async function assertCategory(tx: Tx, p: Principal, locale: Locale, categoryId: string | null | undefined) {
  if (!categoryId) return;
  const r =
    await sql`select 1 from script_categories where tenant_id = ${p.tenantId} and id = ${categoryId}`.execute(
      tx,
    );
  if (r.rows.length === 0)
    throw invalid([
      { field: 'categoryId', code: 'category_unknown', message: st(locale, 'category_unknown') },
    ]);
}

export async function createScript(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: ScriptInput,
): Promise<Script> {
  const v = await scriptViewer(tx, p);
  const unitId = input.unitId ?? p.unitId;
  if (input.scope !== 'personal') {
    if (!v.manages)
      throw invalid([
        { field: 'scope', code: 'scope_needs_manage', message: st(locale, 'scope_needs_manage') },
      ]);
    if (!p.subtreeUnitIds.includes(unitId))
      throw invalid([{ field: 'unitId', code: 'unit_outside', message: st(locale, 'unit_outside') }]);
  }
  await assertCategory(tx, p, locale, input.categoryId);
  const id = newId();
  await sql`insert into scripts (tenant_id, id, title, body, category_id, scope, unit_id, author_id, stages, tags,
      enabled, tokens)
    values (${p.tenantId}, ${id}, ${input.title}, ${input.body}, ${input.categoryId ?? null}, ${input.scope},
      ${input.scope === 'personal' ? p.unitId : unitId}, ${p.userId}, ${input.stages ?? []}::text[],
      ${input.tags ?? []}::text[], ${input.enabled ?? true}, ${indexText(input.title, input.body)})`.execute(
    tx,
  );
  await writeAudit(tx as any, actor, { action: 'create', object: 'script', recordId: id });
  return toScript(v, await loadVisible(tx, v, id));
}

export async function updateScript(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  patch: ScriptPatch,
): Promise<Script> {
  const v = await scriptViewer(tx, p);
  const cur = await loadVisible(tx, v, id);
  // Seeing a script is not owning it: a dealer reads HQ's scripts but cannot change them.
  if (!canEdit(v, cur)) throw notEditable();
  await assertCategory(tx, p, locale, patch.categoryId);
  const title = patch.title ?? cur.title;
  const body = patch.body ?? cur.body;
  await sql`update scripts set title = ${title}, body = ${body},
      category_id = ${patch.categoryId === undefined ? cur.category_id : patch.categoryId},
      stages = ${patch.stages ?? cur.stages}::text[], tags = ${patch.tags ?? cur.tags}::text[],
      enabled = ${patch.enabled ?? cur.enabled}, tokens = ${indexText(title, body)}, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx as any, actor, { action: 'update', object: 'script', recordId: id });
  return toScript(v, await loadVisible(tx, v, id));
}

const notEditable = () => forbidden(SCRIPTS_PERMISSIONS.manage);

export async function deleteScript(tx: Tx, p: Principal, actor: Actor, id: string): Promise<void> {
  const v = await scriptViewer(tx, p);
  const cur = await loadVisible(tx, v, id);
  if (!canEdit(v, cur)) throw notEditable();
  await sql`delete from script_uses where tenant_id = ${p.tenantId} and script_id = ${id}`.execute(tx);
  await sql`delete from scripts where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx as any, actor, { action: 'delete', object: 'script', recordId: id });
}

/** The sidebar reports each send: totals on the script, and per staff member. */
export async function recordUse(tx: Tx, p: Principal, id: string): Promise<ScriptUsage> {
  const v = await scriptViewer(tx, p);
  await loadVisible(tx, v, id);
  await sql`update scripts set use_count = use_count + 1, last_used_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await sql`insert into script_uses (tenant_id, script_id, user_id, uses, last_used_at)
    values (${p.tenantId}, ${id}, ${p.userId}, 1, now())
    on conflict (tenant_id, script_id, user_id) do update set uses = script_uses.uses + 1, last_used_at = now()`.execute(
    tx,
  );
  return usage(tx, p, id);
}

/** Per-staff counts: editors see everyone's within their units, others only their own. */
export async function usage(tx: Tx, p: Principal, id: string): Promise<ScriptUsage> {
  const v = await scriptViewer(tx, p);
  const s = await loadVisible(tx, v, id);
  const everyone = canEdit(v, s);
  const rows = (
    await sql<any>`select m.user_id, u.name, m.uses, m.last_used_at from script_uses m
      join users u on u.tenant_id = m.tenant_id and u.id = m.user_id
      where m.tenant_id = ${p.tenantId} and m.script_id = ${id}
        and (m.user_id = ${p.userId} or (${everyone} and u.unit_id = any(${p.subtreeUnitIds}::uuid[])))
      order by m.uses desc, m.last_used_at desc limit 100`.execute(tx)
  ).rows;
  return {
    useCount: s.use_count,
    myUseCount: s.my_use_count ?? 0,
    lastUsedAt: iso(s.last_used_at) ?? iso(s.updated_at)!,
    perStaff: rows.map((r) => ({
      userId: r.user_id,
      name: r.name,
      uses: r.uses,
      lastUsedAt: iso(r.last_used_at)!,
    })),
  };
}

import type { CategoryInput, ScriptCategory } from '@kehu/contracts/scripts';
import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { scriptViewer, visibleWhere } from './script-access.ts';
import { scriptProblem, st } from './scripts.messages.ts';

/** The tenant's two-level tree, each with how many scripts the caller sees in it. */
export async function listCategories(tx: Tx, p: Principal): Promise<{ items: ScriptCategory[] }> {
  const v = await scriptViewer(tx, p);
  const rows = (
    await sql<any>`select c.id, c.name, c.parent_id, c.sort,
        (select count(*)::int from scripts s where s.tenant_id = c.tenant_id and ${visibleWhere(v)}
          and (s.category_id = c.id or s.category_id in
            (select k.id from script_categories k where k.tenant_id = c.tenant_id and k.parent_id = c.id))) as count
      from script_categories c where c.tenant_id = ${p.tenantId}
      order by c.parent_id nulls first, c.sort, c.name`.execute(tx)
  ).rows;
  return {
    items: rows.map((r) => ({ id: r.id, name: r.name, parentId: r.parent_id, sort: r.sort, count: r.count })),
  };
}

export async function createCategory(
  tx: Tx,
  p: Principal,
  locale: Locale,
  input: CategoryInput,
): Promise<ScriptCategory> {
  if (input.parentId) {
    const parent = (
      await sql<{ parent_id: string | null }>`select parent_id from script_categories
        where tenant_id = ${p.tenantId} and id = ${input.parentId}`.execute(tx)
    ).rows[0];
    if (!parent)
      throw invalid([
        { field: 'parentId', code: 'category_unknown', message: st(locale, 'category_unknown') },
      ]);
    if (parent.parent_id)
      throw invalid([
        { field: 'parentId', code: 'category_too_deep', message: st(locale, 'category_too_deep') },
      ]);
  }
  const taken = await sql`select 1 from script_categories where tenant_id = ${p.tenantId}
    and parent_id is not distinct from ${input.parentId ?? null}::uuid and name = ${input.name}`.execute(tx);
  if (taken.rows.length > 0)
    throw invalid([{ field: 'name', code: 'category_taken', message: st(locale, 'category_taken') }]);
  const id = newId();
  // Without a position a new category goes after its siblings, where people look for what they just added.
  const sort =
    input.sort ??
    (
      await sql<{ n: number }>`select coalesce(max(sort) + 1, 0)::int as n from script_categories
        where tenant_id = ${p.tenantId} and parent_id is not distinct from ${input.parentId ?? null}::uuid`.execute(
        tx,
      )
    ).rows[0]!.n;
  await sql`insert into script_categories (tenant_id, id, parent_id, name, sort)
    values (${p.tenantId}, ${id}, ${input.parentId ?? null}, ${input.name}, ${sort})`.execute(tx);
  return { id, name: input.name, parentId: input.parentId ?? null, sort, count: 0 };
}

export async function deleteCategory(tx: Tx, p: Principal, locale: Locale, id: string): Promise<void> {
  const found =
    await sql`select 1 from script_categories where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  if (found.rows.length === 0) throw notFound('script_category');
  // Counted over every script, not just the caller's: someone's personal script may sit in it.
  const used = await sql`select 1 from scripts where tenant_id = ${p.tenantId} and category_id = ${id}
    union all select 1 from script_categories where tenant_id = ${p.tenantId} and parent_id = ${id} limit 1`.execute(
    tx,
  );
  if (used.rows.length > 0) throw scriptProblem('conflict', locale, 'category_not_empty');
  await sql`delete from script_categories where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
}

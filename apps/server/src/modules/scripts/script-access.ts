import type { ScriptScope } from '@kehu/contracts/scripts';
import { SCRIPTS_PERMISSIONS } from '@kehu/contracts/scripts';
import { type RawBuilder, sql } from 'kysely';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';

/**
 * Who sees a script (R9.4): a company script in its unit's subtree (HQ publishes down to
 * branches and dealers), a team script in its unit, a personal one by its author. Managers
 * also see the company and team scripts of the units below them, which they may edit.
 */
export interface ScriptViewer {
  principal: Principal;
  /** The caller's unit and the units above it: whose company scripts reach the caller. */
  ancestorUnitIds: string[];
  manages: boolean;
}

export async function scriptViewer(tx: Tx, p: Principal): Promise<ScriptViewer> {
  const row = (
    await sql<{
      path: string;
    }>`select path from units where tenant_id = ${p.tenantId} and id = ${p.unitId}`.execute(tx)
  ).rows[0];
  const ancestorUnitIds = row ? row.path.split('/').filter(Boolean) : [p.unitId];
  return { principal: p, ancestorUnitIds, manages: can(p, SCRIPTS_PERMISSIONS.manage) };
}

/** The visibility predicate over `s` (the scripts table). */
export function visibleWhere(v: ScriptViewer): RawBuilder<unknown> {
  const p = v.principal;
  const below = v.manages ? p.subtreeUnitIds : [];
  return sql`(
    (s.scope = 'personal' and s.author_id = ${p.userId})
    or (s.scope = 'team' and (s.unit_id = ${p.unitId} or s.unit_id = any(${below}::uuid[])))
    or (s.scope = 'company' and (s.unit_id = any(${v.ancestorUnitIds}::uuid[]) or s.unit_id = any(${below}::uuid[])))
  )`;
}

/** Whether the caller may change (or delete) a script they can see. */
export function canEdit(
  v: ScriptViewer,
  s: { scope: ScriptScope; author_id: string; unit_id: string },
): boolean {
  if (s.scope === 'personal') return s.author_id === v.principal.userId;
  return v.manages && v.principal.subtreeUnitIds.includes(s.unit_id);
}

import { sql } from 'kysely';
import type { Tx } from '../../../core/db/tenant-scope.ts';

/**
 * Moves every descendant of a unit along with it: their materialised paths get the new prefix and
 * their depths shift by the same amount, in one statement over the subtree (the unit itself is
 * updated by the route).
 */
export async function moveDescendants(
  tx: Tx,
  tenantId: string,
  unit: { id: string; path: string; depth: number },
  to: { path: string; depth: number },
): Promise<void> {
  await sql`update units set path = ${to.path} || substr(path, ${unit.path.length + 1}), depth = depth + ${to.depth - unit.depth}
    where tenant_id = ${tenantId} and path like ${`${unit.path}%`} and id <> ${unit.id}`.execute(tx);
}

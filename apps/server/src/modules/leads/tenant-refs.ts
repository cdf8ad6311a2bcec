import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { type FieldError, invalid } from '../../core/errors.ts';

type RefTable = 'units' | 'users' | 'lead_assignment_rules';

/**
 * Ids a lead configuration names (a form's unit, a channel's rule, a rule's members) must be
 * the tenant's own: another tenant's id, or a made-up one, is a field error and is never stored.
 */
export async function assertOwnRefs(
  tx: Tx,
  tenantId: string,
  refs: { field: string; table: RefTable; id: string | null | undefined }[],
): Promise<void> {
  const errors: FieldError[] = [];
  for (const r of refs) {
    if (!r.id) continue;
    const found =
      await sql`select 1 from ${sql.table(r.table)} where tenant_id = ${tenantId} and id = ${r.id}`.execute(
        tx,
      );
    if (!found.rows.length) errors.push({ field: r.field, code: 'lookup_missing' });
  }
  if (errors.length) throw invalid(errors);
}

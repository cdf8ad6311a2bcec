import { type RawBuilder, sql } from 'kysely';
import { type Principal, rowScope } from '../../core/auth/principal.ts';

/**
 * Whose customers a person may message: like the lead data (the scope the WeCom reports use) —
 * a salesperson their own WeCom customers, a manager their units', tenant scope everyone's.
 * `x` is a wecom_external_contacts row, `s` its staff member's wecom_staff row.
 */
export function contactScope(p: Principal): RawBuilder<unknown> {
  const s = rowScope(p, 'lead');
  if (s.unitIds === null) return sql`true`;
  if (s.ownerId) return sql`s.user_id = ${s.ownerId}`;
  return sql`x.unit_id = any(${s.unitIds}::uuid[])`;
}

/** Records this module keeps (messages, SOP tasks) by unit and owner, in the same scope. */
export function recordScope(p: Principal, unit: string, owner: string): RawBuilder<unknown> {
  const s = rowScope(p, 'lead');
  if (s.unitIds === null) return sql`true`;
  if (s.ownerId) return sql`${sql.ref(owner)} = ${s.ownerId}`;
  return sql`${sql.ref(unit)} = any(${s.unitIds}::uuid[])`;
}

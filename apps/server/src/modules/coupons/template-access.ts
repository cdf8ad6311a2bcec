import { COUPONS_PERMISSIONS } from '@kehu/contracts/coupons';
import { type RawBuilder, sql } from 'kysely';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';

/**
 * Who sees a coupon template: its unit and every unit below (the stores that redeem it), and
 * the units above that manage it. A sibling dealer's templates and coupons stay invisible: a
 * code typed at the wrong store is "not found", not "belongs to someone else".
 */
export interface TemplateViewer {
  principal: Principal;
  /** The caller's unit and the units above it. */
  ancestorUnitIds: string[];
  manages: boolean;
}

export async function templateViewer(tx: Tx, p: Principal): Promise<TemplateViewer> {
  const row = (
    await sql<{
      path: string;
    }>`select path from units where tenant_id = ${p.tenantId} and id = ${p.unitId}`.execute(tx)
  ).rows[0];
  const ancestorUnitIds = row ? row.path.split('/').filter(Boolean) : [p.unitId];
  return { principal: p, ancestorUnitIds, manages: can(p, COUPONS_PERMISSIONS.manage) };
}

/** Over `t` (coupon_templates). */
export function templateVisible(v: TemplateViewer): RawBuilder<unknown> {
  return sql`(t.unit_id = any(${v.ancestorUnitIds}::uuid[]) or t.unit_id = any(${v.principal.subtreeUnitIds}::uuid[]))`;
}

export const canManageTemplate = (v: TemplateViewer, t: { unit_id: string }) =>
  v.manages && v.principal.subtreeUnitIds.includes(t.unit_id);

import { CAMPAIGNS_PERMISSIONS } from '@kehu/contracts/campaigns';
import { type RawBuilder, sql } from 'kysely';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';

/**
 * A campaign is seen in its unit, the units below (stores staff the venue) and above (who
 * manage it); a sibling dealer never sees it. Managing needs campaigns:manage over its unit.
 */
export interface CampaignViewer {
  principal: Principal;
  ancestorUnitIds: string[];
  manages: boolean;
}

export async function campaignViewer(tx: Tx, p: Principal): Promise<CampaignViewer> {
  const row = (
    await sql<{
      path: string;
    }>`select path from units where tenant_id = ${p.tenantId} and id = ${p.unitId}`.execute(tx)
  ).rows[0];
  const ancestorUnitIds = row ? row.path.split('/').filter(Boolean) : [p.unitId];
  return { principal: p, ancestorUnitIds, manages: can(p, CAMPAIGNS_PERMISSIONS.manage) };
}

/** Over `c` (campaigns). */
export const campaignVisible = (v: CampaignViewer): RawBuilder<unknown> =>
  sql`(c.unit_id = any(${v.ancestorUnitIds}::uuid[]) or c.unit_id = any(${v.principal.subtreeUnitIds}::uuid[]))`;

export const canManageCampaign = (v: CampaignViewer, c: { unit_id: string }) =>
  v.manages && v.principal.subtreeUnitIds.includes(c.unit_id);

/** Phones in full only for those who read lead phones in full (R9.5 masking). */
export function phoneFor(p: Principal, phone: string): string {
  const access = p.fieldAccess.lead?.phone ?? 'full';
  if (access === 'full') return phone;
  return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
}

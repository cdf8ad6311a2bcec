import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';

export interface StaffCorp {
  corpRef: string;
  corpId: string;
  userid: string;
  corpUnitId: string;
}

/** The WeCom corp and userid a Kehu user is mapped to (active), or null when they have none. */
export async function staffCorpOf(tx: Tx, tenantId: string, userId: string): Promise<StaffCorp | null> {
  const r = (
    await sql<StaffCorp>`select s.corp_ref as "corpRef", c.corp_id as "corpId", s.userid, c.unit_id as "corpUnitId"
      from wecom_staff s join wecom_corps c on c.tenant_id = s.tenant_id and c.id = s.corp_ref and c.deleted_at is null
      where s.tenant_id = ${tenantId} and s.user_id = ${userId} and s.active
      order by c.created_at limit 1`.execute(tx)
  ).rows[0];
  return r ?? null;
}

/**
 * Who creates a card's or a participant's contact way in WeCom: the connection of the corp's own
 * unit and nothing else (no record permission, no data scope). The audit row names the real actor.
 */
export async function codeMaker(
  tx: Tx,
  tenantId: string,
  userId: string,
  corpUnitId: string,
): Promise<Principal> {
  const v = (
    await sql<{ v: number }>`select authz_version as v from tenants where id = ${tenantId}`.execute(tx)
  ).rows[0]!;
  return {
    tenantId,
    userId,
    userName: 'Kehu',
    unitId: corpUnitId,
    locale: 'zh-CN',
    kind: 'user',
    permissions: [],
    dataScopes: {},
    fieldAccess: {},
    subtreeUnitIds: [corpUnitId],
    authzVersion: v.v,
  };
}

import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';

/**
 * Contribution to admin's `user-disable-check`: a user being disabled who still holds WeCom
 * customers or groups (per corp, through the staff mapping) gets a "transfer now" prompt leading
 * to the transfers page filtered on that staff member.
 */
export const wecomUserDisableCheck = {
  key: 'wecom-customers',
  check: async (tx: Tx, tenantId: string, userId: string) => {
    const rows = (
      await sql<{ corp_ref: string; userid: string; customers: number; groups: number }>`
        select s.corp_ref, s.userid,
          (select count(*)::int from wecom_external_contacts x where x.tenant_id = s.tenant_id and x.corp_ref = s.corp_ref
            and x.userid = s.userid and x.status = 'active') as customers,
          (select count(*)::int from wecom_groups g where g.tenant_id = s.tenant_id and g.corp_ref = s.corp_ref
            and g.owner_userid = s.userid and g.dismissed_at is null) as groups
        from wecom_staff s where s.tenant_id = ${tenantId} and s.user_id = ${userId}`.execute(tx)
    ).rows;
    return rows
      .filter((r) => r.customers + r.groups > 0)
      .map((r) => ({
        message: {
          'zh-CN': `该用户在企业微信（${r.userid}）仍有 ${r.customers} 位客户、${r.groups} 个客户群，建议立即转接`,
          'en-US': `This user still has ${r.customers} WeCom customer(s) and ${r.groups} group(s) as ${r.userid}; transfer them now`,
        },
        link: `/wecom/transfers?corp=${encodeURIComponent(r.corp_ref)}&handover=${encodeURIComponent(r.userid)}`,
        counts: { customers: r.customers, groups: r.groups },
      }));
  },
};

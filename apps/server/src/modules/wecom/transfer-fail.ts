import { sql } from 'kysely';
import type { JobContext } from '../../core/jobs/queue.ts';
import { notify } from '../notifications/index.ts';
import type { XmlFields } from './connector/callback-crypto.ts';
import type { CorpRuntime } from './corps.service.ts';

/** WeCom's FailReason → the transfer status it ends in (3 refused by the customer, 4 takeover full). */
const STATUS_BY_REASON: Record<string, number> = { customer_refused: 3, customer_limit_exceed: 4 };

const REASON_TEXT: Record<string, { 'zh-CN': string; 'en-US': string }> = {
  customer_refused: { 'zh-CN': '客户拒绝了转接', 'en-US': 'the customer refused the transfer' },
  customer_limit_exceed: {
    'zh-CN': '接替成员的客户数已达上限',
    'en-US': 'the takeover has reached the customer limit',
  },
};

/**
 * `transfer_fail`: the open transfer ends failed with WeCom's reason. The CRM owner never moved (it
 * follows only a completed transfer), so it stays with the handover; the initiator is told.
 * Idempotent: only a row still under way (status 2) changes.
 */
export async function transferFailed(
  job: Pick<JobContext, 'tenantId' | 'tx'>,
  corp: CorpRuntime,
  f: XmlFields,
): Promise<void> {
  const ext = f.ExternalUserID;
  const takeover = f.UserID;
  if (!ext || !takeover) return;
  const reason = f.FailReason ?? 'unknown';
  await job.tx(async (tx) => {
    const rows = (
      await sql<{ id: string; created_by: string | null; name: string | null }>`update wecom_transfers t
        set status = ${STATUS_BY_REASON[reason] ?? 3}, fail_reason = ${reason}, completed_at = now()
        where t.tenant_id = ${corp.tenantId} and t.corp_ref = ${corp.corpRef} and t.external_userid = ${ext}
          and t.takeover_userid = ${takeover} and t.status = 2
        returning t.id, t.created_by,
          (select x.name from wecom_external_contacts x where x.tenant_id = t.tenant_id and x.corp_ref = t.corp_ref
            and x.external_userid = t.external_userid and x.userid = t.handover_userid) as name`.execute(tx)
    ).rows;
    for (const r of rows) {
      if (!r.created_by) continue;
      const why = REASON_TEXT[reason] ?? { 'zh-CN': reason, 'en-US': reason };
      const name = r.name ?? ext;
      await notify(tx, corp.tenantId, {
        userIds: [r.created_by],
        kind: 'wecom_transfer_failed',
        title: {
          'zh-CN': `客户 ${name} 转接失败`,
          'en-US': `Transfer of customer ${name} failed`,
        },
        body: {
          'zh-CN': `企业微信：${why['zh-CN']}。客户仍归原跟进人。`,
          'en-US': `WeCom: ${why['en-US']}. The customer stays with the previous owner.`,
        },
        link: `/wecom/transfers?corp=${corp.corpRef}`,
        object: 'wecom_transfer',
        recordId: r.id,
        data: { externalUserid: ext, takeoverUserid: takeover, failReason: reason },
      });
    }
  });
}

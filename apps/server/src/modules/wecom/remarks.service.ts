import type { RemarkInput } from '@kehu/contracts/wecom-transfers';
import { sql } from 'kysely';
import { type Actor, writeAuditMany } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { invalid } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { ingestFromConnector } from '../cdp/index.ts';
import { wecomFailure } from './codes.service.ts';
import type { XmlFields } from './connector/callback-crypto.ts';
import { WeComClient } from './connector/client.ts';
import { type CorpRuntime, corpRuntime, getCorp, visibleUnits } from './corps.service.ts';
import { transferText } from './transfer-messages.ts';

/**
 * 客户备注: remark, description and remark_mobiles of one staff member's relationship with a customer.
 * Both sides edit them — WeCom (edit_external_contact) and Kehu (externalcontact/remark). The later
 * write wins; on a tie WeCom wins (the same rule as tags). Phones flow on to the CRM contact (when it
 * has none or had the previous remark phone) and to the CDP profile as identities.
 */
interface Remark {
  remark: string | null;
  description: string | null;
  mobiles: string[];
}

async function applyRemark(
  tx: Tx,
  tenantId: string,
  corpRef: string,
  ext: string,
  userid: string,
  r: Remark,
  at: Date,
  /** WeCom's write wins a tie; Kehu's must be strictly later. */
  fromWecom: boolean,
) {
  const before = (
    await sql<{
      contact_id: string | null;
      remark_mobiles: string[] | null;
    }>`select contact_id, remark_mobiles from wecom_external_contacts
      where tenant_id = ${tenantId} and corp_ref = ${corpRef} and external_userid = ${ext} and userid = ${userid} for update`.execute(
      tx,
    )
  ).rows[0];
  if (!before) return null;
  const applied = (
    await sql<{
      contact_id: string | null;
    }>`update wecom_external_contacts set remark = ${r.remark}, description = ${r.description},
        remark_mobiles = ${JSON.stringify(r.mobiles)}::jsonb, remark_at = ${at}, updated_at = now()
      where tenant_id = ${tenantId} and corp_ref = ${corpRef} and external_userid = ${ext} and userid = ${userid}
        and (remark_at is null or ${fromWecom ? sql`remark_at <= ${at}` : sql`remark_at < ${at}`})
      returning contact_id`.execute(tx)
  ).rows[0];
  if (!applied) return null;
  const oldPhone = before.remark_mobiles?.[0] ?? null;
  const newPhone = r.mobiles[0] ?? null;
  if (applied.contact_id && newPhone && newPhone !== oldPhone)
    await sql`update contacts set phone = ${newPhone}, version = version + 1, updated_at = now()
      where tenant_id = ${tenantId} and id = ${applied.contact_id} and (phone is null or phone = ${oldPhone})`.execute(
      tx,
    );
  return applied;
}

const toCdp = (database: Database, corp: CorpRuntime, ext: string, r: Remark, at: Date) =>
  r.mobiles.length
    ? ingestFromConnector(database, corp.tenantId, '企业微信 WeCom', [
        {
          type: 'identify',
          messageId: `wecom-remark-${corp.corpRef}-${ext}-${at.getTime()}`,
          anonymousId: `wecom:${ext}`,
          traits: { phone: r.mobiles[0], phones: r.mobiles },
          context: { externalIds: [{ type: 'external_userid', id: ext, collection: corp.corpId }] },
          timestamp: at.toISOString(),
        },
      ])
    : Promise.resolve();

/** Kehu-side edit: WeCom first (its limits apply), then the relationship, CRM and CDP, audited. */
export async function editRemark(
  database: Database,
  p: Principal,
  actor: Actor,
  input: RemarkInput,
  locale: Locale,
) {
  const { corp, cur } = await inTenant(database.db, p.tenantId, async (tx) => {
    await getCorp(tx, p, input.corpRef);
    const cur = (
      await sql<{ remark: string | null; description: string | null; remark_mobiles: string[] | null }>`
        select remark, description, remark_mobiles from wecom_external_contacts
        where tenant_id = ${p.tenantId} and corp_ref = ${input.corpRef} and external_userid = ${input.externalUserid}
          and userid = ${input.userid} and unit_id = any(${visibleUnits(p)}::uuid[])`.execute(tx)
    ).rows[0];
    // Not one of this corp's visible relationships (or none at all): the same answer either way.
    if (!cur)
      throw invalid([
        {
          field: 'externalUserid',
          code: 'transfer_customer_unknown',
          message: transferText.text(locale, 'transfer_customer_unknown'),
        },
      ]);
    return { corp: await corpRuntime(tx, p.tenantId, input.corpRef), cur };
  });
  const next: Remark = {
    remark: input.remark ?? cur.remark,
    description: input.description ?? cur.description,
    mobiles: input.remarkMobiles ?? cur.remark_mobiles ?? [],
  };
  try {
    await new WeComClient(database, corp, 'contact').post('externalcontact/remark', {
      userid: input.userid,
      external_userid: input.externalUserid,
      ...(input.remark !== undefined ? { remark: input.remark } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.remarkMobiles ? { remark_mobiles: input.remarkMobiles } : {}),
    });
  } catch (err) {
    wecomFailure(locale, err);
  }
  // WeCom stamps its edits in whole seconds; Kehu's are compared at the same grain so a tie is a tie.
  const at = new Date(Math.floor(Date.now() / 1000) * 1000);
  await inTenant(database.db, p.tenantId, async (tx) => {
    await applyRemark(tx, p.tenantId, input.corpRef, input.externalUserid, input.userid, next, at, false);
    await writeAuditMany(tx, actor, [
      {
        action: 'update',
        object: 'wecom_contact',
        recordId: input.corpRef,
        changes: [
          { field: 'remark', from: cur.remark, to: next.remark },
          { field: 'description', from: cur.description, to: next.description },
          { field: 'remarkMobiles', from: cur.remark_mobiles ?? [], to: next.mobiles },
        ],
        meta: { externalUserid: input.externalUserid, userid: input.userid, via: 'externalcontact/remark' },
      },
    ]);
  });
  await toCdp(database, corp, input.externalUserid, next, at);
  return { remark: next.remark, description: next.description, remarkMobiles: next.mobiles };
}

/** edit_external_contact: read the follow-user's remark from WeCom and apply it if not older. */
export async function remarkEditedInWecom(
  database: Database,
  job: Pick<JobContext, 'tenantId' | 'tx'>,
  corp: CorpRuntime,
  f: XmlFields,
) {
  const ext = f.ExternalUserID;
  const userid = f.UserID;
  if (!ext || !userid) return;
  const res = await new WeComClient(database, corp, 'contact').get('externalcontact/get', {
    external_userid: ext,
  });
  const follow = (res.follow_user ?? []).find((u: any) => u.userid === userid);
  if (!follow) return;
  const r: Remark = {
    remark: typeof follow.remark === 'string' ? follow.remark : null,
    description: typeof follow.description === 'string' ? follow.description : null,
    mobiles: Array.isArray(follow.remark_mobiles) ? follow.remark_mobiles.map(String) : [],
  };
  const at = new Date((Number(f.CreateTime) || Date.now() / 1000) * 1000);
  const applied = await job.tx((tx) =>
    applyRemark(tx, corp.tenantId, corp.corpRef, ext, userid, r, at, true),
  );
  if (applied) await toCdp(database, corp, ext, r, at);
}

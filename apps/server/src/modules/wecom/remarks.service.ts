import type { RemarkInput } from '@kehu/contracts/wecom-transfers';
import { sql } from 'kysely';
import { type Actor, writeAuditMany } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { conflict, invalid } from '../../core/errors.ts';
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
  company: string | null;
}

async function applyRemark(
  tx: Tx,
  tenantId: string,
  corpRef: string,
  ext: string,
  userid: string,
  r: Remark,
  at: Date,
  /**
   * WeCom's write wins a tie; Kehu's must be strictly later — unless the editor named the version
   * they read (checked under the row lock), then they saw everything before and their save wins.
   */
  tieWins: boolean,
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
        remark_mobiles = ${JSON.stringify(r.mobiles)}::jsonb, remark_company = ${r.company}, remark_at = ${at},
        remark_version = remark_version + 1, updated_at = now()
      where tenant_id = ${tenantId} and corp_ref = ${corpRef} and external_userid = ${ext} and userid = ${userid}
        and (remark_at is null or ${tieWins ? sql`remark_at <= ${at}` : sql`remark_at < ${at}`})
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

/**
 * Kehu-side edit: WeCom first (its limits apply), then the relationship, CRM and CDP, audited. The
 * relation is locked for the WeCom call, so of two people saving the same remark at once the second
 * waits, sees the first's version and gets a 409 — WeCom is never told the loser's text.
 */
export async function editRemark(
  database: Database,
  p: Principal,
  actor: Actor,
  input: RemarkInput,
  locale: Locale,
) {
  const { corp, next, at } = await inTenant(database.db, p.tenantId, async (tx) => {
    await getCorp(tx, p, input.corpRef);
    const cur = (
      await sql<{
        remark: string | null;
        description: string | null;
        remark_mobiles: string[] | null;
        remark_company: string | null;
        remark_version: number;
      }>`select remark, description, remark_mobiles, remark_company, remark_version from wecom_external_contacts
        where tenant_id = ${p.tenantId} and corp_ref = ${input.corpRef} and external_userid = ${input.externalUserid}
          and userid = ${input.userid} and unit_id = any(${visibleUnits(p)}::uuid[]) for update`.execute(tx)
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
    if (input.version !== undefined && input.version !== cur.remark_version)
      throw conflict(transferText.text(locale, 'remark_changed'), {}, [
        { field: 'version', code: 'stale', message: transferText.text(locale, 'remark_changed') },
      ]);
    const corp = await corpRuntime(tx, p.tenantId, input.corpRef);
    const next: Remark = {
      remark: input.remark ?? cur.remark,
      description: input.description ?? cur.description,
      mobiles: input.remarkMobiles ?? cur.remark_mobiles ?? [],
      company: input.remarkCompany ?? cur.remark_company,
    };
    try {
      await new WeComClient(database, corp, 'contact').post('externalcontact/remark', {
        userid: input.userid,
        external_userid: input.externalUserid,
        ...(input.remark !== undefined ? { remark: input.remark } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.remarkMobiles ? { remark_mobiles: input.remarkMobiles } : {}),
        ...(input.remarkCompany !== undefined ? { remark_company: input.remarkCompany } : {}),
      });
    } catch (err) {
      wecomFailure(locale, err);
    }
    // WeCom stamps its edits in whole seconds; Kehu's are compared at the same grain so a tie is a tie.
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    await applyRemark(
      tx,
      p.tenantId,
      input.corpRef,
      input.externalUserid,
      input.userid,
      next,
      at,
      input.version !== undefined,
    );
    await writeAuditMany(tx, actor, [
      {
        action: 'update',
        object: 'wecom_contact',
        recordId: input.corpRef,
        changes: [
          { field: 'remark', from: cur.remark, to: next.remark },
          { field: 'description', from: cur.description, to: next.description },
          { field: 'remarkMobiles', from: cur.remark_mobiles ?? [], to: next.mobiles },
          { field: 'remarkCompany', from: cur.remark_company, to: next.company },
        ],
        meta: { externalUserid: input.externalUserid, userid: input.userid, via: 'externalcontact/remark' },
      },
    ]);
    return { corp, next, at };
  });
  await toCdp(database, corp, input.externalUserid, next, at);
  const row = (await listRemarks(database, p, input)).items.find((r) => r.userid === input.userid);
  return {
    remark: next.remark,
    description: next.description,
    remarkMobiles: next.mobiles,
    remarkCompany: next.company,
    version: row?.version ?? 0,
  };
}

/** The remark rows a form edits: one customer's relations in a corp, or a CRM contact's. */
export async function listRemarks(
  database: Database,
  p: Principal,
  q: { contactId?: string; corpRef?: string; externalUserid?: string },
) {
  if (!q.contactId && !(q.corpRef && q.externalUserid)) return { items: [] };
  return inTenant(
    database.db,
    p.tenantId,
    async (tx) => {
      const rows = (
        await sql<any>`select x.*, s.name as staff_name from wecom_external_contacts x
          join wecom_corps c on c.tenant_id = x.tenant_id and c.id = x.corp_ref and c.deleted_at is null
          left join wecom_staff s on s.tenant_id = x.tenant_id and s.corp_ref = x.corp_ref and s.userid = x.userid
          where x.tenant_id = ${p.tenantId} and x.unit_id = any(${visibleUnits(p)}::uuid[])
            ${q.contactId ? sql`and x.contact_id = ${q.contactId}` : sql``}
            ${q.corpRef ? sql`and x.corp_ref = ${q.corpRef}` : sql``}
            ${q.externalUserid ? sql`and x.external_userid = ${q.externalUserid}` : sql``}
          order by x.added_at limit 20`.execute(tx)
      ).rows;
      return {
        items: rows.map((r) => ({
          corpRef: r.corp_ref,
          externalUserid: r.external_userid,
          userid: r.userid,
          staffName: r.staff_name ?? null,
          name: r.name ?? null,
          status: r.status,
          remark: r.remark ?? null,
          description: r.description ?? null,
          remarkMobiles: r.remark_mobiles ?? [],
          remarkCompany: r.remark_company ?? null,
          version: r.remark_version ?? 0,
        })),
      };
    },
    { readOnly: true },
  );
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
    company:
      typeof follow.remark_corp_name === 'string' && follow.remark_corp_name ? follow.remark_corp_name : null,
  };
  const at = new Date((Number(f.CreateTime) || Date.now() / 1000) * 1000);
  const applied = await job.tx((tx) =>
    applyRemark(tx, corp.tenantId, corp.corpRef, ext, userid, r, at, true),
  );
  if (applied) await toCdp(database, corp, ext, r, at);
}

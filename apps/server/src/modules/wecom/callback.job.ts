import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { createRecords, recordCtx } from '../../engine/records/record.service.ts';
import { ingestFromConnector } from '../cdp/index.ts';
import { intakeFromConnector, managersOf } from '../leads/index.ts';
import { notify } from '../notifications/index.ts';
import { acquisitionBalanceEvent } from './acquisition-links.service.ts';
import { parseXml, type XmlFields } from './connector/callback-crypto.ts';
import { WeComApiError, WeComClient } from './connector/client.ts';
import { emitContactEvent } from './contact-events.ts';
import { type CorpRuntime, corpRuntime } from './corps.service.ts';
import { markDismissed, syncGroup } from './groups.service.ts';
import { remarkEditedInWecom } from './remarks.service.ts';
import { contactTagsChanged, markCodeTags, syncCorpTags } from './tags.service.ts';
import { transferFailed } from './transfer-fail.ts';
import { wecomText } from './wecom.messages.ts';
import { sendWelcome } from './welcome.service.ts';

/**
 * Processing of stored callbacks (callback.http.ts stores and queues them). Each handler is
 * idempotent: a job retried after a crash, a duplicate delivery, or the reconciliation job
 * finding the same contact again changes nothing twice. WeCom API calls (get, send_welcome_msg,
 * update_contact_way) run outside the database transaction, which commits the Kehu-side effects
 * of one event (relationship row, CRM contact, lead, counts) together.
 */
export interface CallbackJob {
  id: string;
}

/** The database handle jobs get is the owner connection; connector calls need the `Database`. */
let databaseRef: Database | null = null;
export const bindDatabase = (d: Database) => {
  databaseRef = d;
};

const SOURCE_NAME = '企业微信 WeCom';

export async function callbackJob(payload: CallbackJob, job: JobContext): Promise<void> {
  const database = databaseRef ?? ({ db: job.db } as Database);
  const cb = await job.tx(async (tx) => {
    const r = (
      await sql<{ corp_ref: string; message: string; processed_at: Date | null }>`
        select corp_ref, message, processed_at from wecom_callbacks where tenant_id = ${job.tenantId} and id = ${payload.id}`.execute(
        tx,
      )
    ).rows[0];
    if (!r || r.processed_at) return null;
    return { ...r, corp: await corpRuntime(tx, job.tenantId, r.corp_ref) };
  });
  if (!cb) return;
  const f = parseXml(cb.message);
  const kind = `${f.Event ?? f.InfoType ?? ''}:${f.ChangeType ?? ''}`;
  try {
    switch (kind) {
      case 'change_external_contact:add_external_contact':
      case 'change_external_contact:add_half_external_contact':
        await contactAdded(database, job, cb.corp, f);
        await markCodeTags(database, cb.corp, f);
        await contactTagsChanged(database, cb.corp, f);
        break;
      case 'change_external_contact:edit_external_contact':
        await contactTagsChanged(database, cb.corp, f);
        await remarkEditedInWecom(database, job, cb.corp, f);
        break;
      case 'change_external_tag:create':
      case 'change_external_tag:update':
      case 'change_external_tag:delete':
        await syncCorpTags(database, cb.corp);
        break;
      case 'change_external_contact:transfer_fail':
        await transferFailed(job, cb.corp, f);
        break;
      case 'change_external_contact:del_follow_user':
        await contactLost(database, job, cb.corp, f, 'lost');
        break;
      case 'change_external_contact:del_external_contact':
        await contactLost(database, job, cb.corp, f, 'deleted');
        break;
      case 'change_contact:create_user':
      case 'change_contact:update_user':
        await job.tx((tx) =>
          upsertStaff(tx, cb.corp, [{ userid: f.UserID!, name: f.Name ?? f.UserID!, mobile: f.Mobile }]),
        );
        break;
      case 'change_contact:delete_user':
        await job.tx((tx) =>
          sql`update wecom_staff set active = false where tenant_id = ${job.tenantId} and corp_ref = ${cb.corp.corpRef} and userid = ${f.UserID ?? ''}`.execute(
            tx,
          ),
        );
        break;
      case 'change_external_chat:create':
      case 'change_external_chat:update':
        await syncGroup(database, cb.corp, f.ChatId ?? '');
        break;
      case 'change_external_chat:dismiss':
        await markDismissed(database, cb.corp, f.ChatId ?? '');
        break;
      case 'customer_acquisition:balance_low':
      case 'customer_acquisition:balance_exhausted':
        await job.tx((tx) => acquisitionBalanceEvent(tx, cb.corp, f));
        break;
      default:
        // Stored for the record; tags, groups and transfers are handled by later work (README).
        break;
    }
    await job.tx((tx) =>
      sql`update wecom_callbacks set processed_at = now(), error = null where tenant_id = ${job.tenantId} and id = ${payload.id}`.execute(
        tx,
      ),
    );
  } catch (err) {
    const msg =
      err instanceof WeComApiError ? `${err.api}: ${err.errcode}` : (err as Error).message.slice(0, 300);
    await job.tx((tx) =>
      sql`update wecom_callbacks set error = ${msg} where tenant_id = ${job.tenantId} and id = ${payload.id}`.execute(
        tx,
      ),
    );
    throw err;
  }
}

// ------------------------------------------------------------------ staff

export async function upsertStaff(
  tx: Tx,
  corp: Pick<CorpRuntime, 'tenantId' | 'corpRef'>,
  staff: Array<{ userid: string; name: string; mobile?: string | null }>,
): Promise<number> {
  let mapped = 0;
  for (const s of staff) {
    // A Kehu user with the same mobile is the same person (the usual case), else one whose login is
    // the userid (corps that use the employee account as userid); a manual mapping always wins.
    const byMobile = s.mobile
      ? (
          await sql<{
            id: string;
          }>`select id from users where tenant_id = ${corp.tenantId} and status = 'active'
            and regexp_replace(coalesce(phone, ''), '\\D', '', 'g') like '%' || ${s.mobile.replace(/\D/g, '').slice(-11)}
            limit 1`.execute(tx)
        ).rows[0]
      : undefined;
    const byLogin = byMobile
      ? undefined
      : (
          await sql<{
            id: string;
          }>`select id from users where tenant_id = ${corp.tenantId} and status = 'active'
            and lower(login) = lower(${s.userid}) limit 1`.execute(tx)
        ).rows[0];
    const user = byMobile ?? byLogin;
    const how = byMobile ? 'mobile' : byLogin ? 'login' : null;
    const r = await sql<{
      user_id: string | null;
    }>`insert into wecom_staff (tenant_id, corp_ref, userid, name, mobile, user_id, mapped_by, active, synced_at)
      values (${corp.tenantId}, ${corp.corpRef}, ${s.userid}, ${s.name}, ${s.mobile ?? null}, ${user?.id ?? null},
        ${how}, true, now())
      on conflict (tenant_id, corp_ref, userid) do update set name = excluded.name, mobile = excluded.mobile, active = true,
        synced_at = now(),
        user_id = case when wecom_staff.mapped_by = 'manual' then wecom_staff.user_id else coalesce(excluded.user_id, wecom_staff.user_id) end,
        mapped_by = case when wecom_staff.mapped_by = 'manual' then 'manual' when excluded.user_id is not null then excluded.mapped_by else wecom_staff.mapped_by end
      returning user_id`.execute(tx);
    if (r.rows[0]?.user_id) mapped++;
  }
  return mapped;
}

// ------------------------------------------------------------------ contacts

function connectorActor(tenantId: string, requestId: string): Actor {
  return { tenantId, actorId: null, actorKind: 'system', requestId };
}

async function connectorPrincipal(
  tx: Tx,
  tenantId: string,
  userId: string | null,
  unitId: string,
): Promise<Principal> {
  const authz = (
    await sql<{ authz_version: number }>`select authz_version from tenants where id = ${tenantId}`.execute(tx)
  ).rows[0]!;
  return {
    tenantId,
    userId: userId ?? '00000000-0000-0000-0000-000000000000',
    userName: 'WeCom',
    unitId,
    locale: 'zh-CN',
    kind: 'user',
    permissions: ['contact:create'],
    dataScopes: { contact: 'tenant' },
    fieldAccess: {},
    subtreeUnitIds: [unitId],
    authzVersion: authz.authz_version,
  };
}

export interface Detail {
  name: string | null;
  unionid: string | null;
  phones: string[];
  tags: string[];
  remark: string | null;
}

export function detailOf(c: any, follow: any): Detail {
  return {
    name: typeof c?.name === 'string' ? c.name : null,
    unionid: typeof c?.unionid === 'string' && c.unionid ? c.unionid : null,
    phones: Array.isArray(follow?.remark_mobiles) ? follow.remark_mobiles.map(String) : [],
    // batch/get_by_user carries tag ids only; names come with the tag sync (not yet built).
    tags: Array.isArray(follow?.tags) ? follow.tags.map((t: any) => String(t.tag_name ?? t.tag_id ?? t)) : [],
    remark: typeof follow?.remark === 'string' ? follow.remark : null,
  };
}

async function fetchDetail(client: WeComClient, ext: string, userid: string): Promise<Detail> {
  const res = await client.get('externalcontact/get', { external_userid: ext });
  const c = res.external_contact ?? {};
  const follow = (res.follow_user ?? []).find((u: any) => u.userid === userid) ?? {};
  return {
    name: typeof c.name === 'string' ? c.name : null,
    unionid: typeof c.unionid === 'string' && c.unionid ? c.unionid : null,
    phones: Array.isArray(follow.remark_mobiles) ? follow.remark_mobiles.map(String) : [],
    tags: Array.isArray(follow.tags) ? follow.tags.map((t: any) => String(t.tag_name ?? t.tag_id ?? t)) : [],
    remark: typeof follow.remark === 'string' ? follow.remark : null,
  };
}

const today = () => new Date().toISOString().slice(0, 10);

export async function contactAdded(
  database: Database,
  job: Pick<JobContext, 'tenantId' | 'tx' | 'jobId'>,
  corp: CorpRuntime,
  f: XmlFields,
  prefetched?: Detail,
) {
  const ext = f.ExternalUserID;
  const userid = f.UserID;
  if (!ext || !userid) return;
  const client = new WeComClient(database, corp, 'contact');
  const state = f.State || null;
  const pre = await job.tx(async (tx) => {
    const existing = (
      await sql<{ contact_id: string | null }>`select contact_id from wecom_external_contacts
        where tenant_id = ${corp.tenantId} and corp_ref = ${corp.corpRef} and external_userid = ${ext} and userid = ${userid}`.execute(
        tx,
      )
    ).rows[0];
    const code = state
      ? (
          await sql<any>`select * from wecom_channel_codes where tenant_id = ${corp.tenantId} and corp_ref = ${corp.corpRef}
            and state = ${state} and deleted_at is null`.execute(tx)
        ).rows[0]
      : undefined;
    // The owner is the Kehu user mapped to the staff member, if active; records sit in their unit.
    const staff = (
      await sql<{
        user_id: string | null;
        user_unit: string | null;
      }>`select u.id as user_id, u.unit_id as user_unit
        from wecom_staff s join users u on u.tenant_id = s.tenant_id and u.id = s.user_id and u.status = 'active'
        where s.tenant_id = ${corp.tenantId} and s.corp_ref = ${corp.corpRef} and s.userid = ${userid}`.execute(
        tx,
      )
    ).rows[0];
    return { existing, code, staff };
  });
  // The WelcomeCode is valid for 20 s and only once: send it first, before anything slow.
  if (!pre.existing && f.WelcomeCode && (pre.code?.welcome_text || pre.code?.welcome_attachments?.length)) {
    try {
      await sendWelcome(
        database,
        corp,
        client,
        f.WelcomeCode,
        pre.code.welcome_text,
        pre.code.welcome_attachments ?? [],
      );
    } catch (err) {
      // An expired or used code (a retried job) is not worth failing the add for.
      if (!(err instanceof WeComApiError)) throw err;
    }
  }
  const detail = prefetched ?? (await fetchDetail(client, ext, userid));
  const tags = [...new Set([...(pre.code?.tags ?? []), ...detail.tags])];
  const ownerId = pre.staff?.user_id ?? null;
  const unitId = pre.staff?.user_unit ?? pre.code?.unit_id ?? corp.unitId;
  const name = detail.remark || detail.name || ext;
  const phone = detail.phones[0] ?? null;
  // One ID: the CDP resolves external_userid (namespaced by corp), unionid and phones to a profile.
  // Before the relation commits, not after: a run killed in between finds the relation unknown and
  // does both again (ingestion is idempotent on messageId); after, it would skip a known relation and
  // the customer would never reach the CDP (the kill -9 reconciliation test caught it).
  await ingestFromConnector(database, corp.tenantId, SOURCE_NAME, [
    {
      type: 'identify',
      messageId: `wecom-add-${corp.corpRef}-${ext}`,
      anonymousId: `wecom:${ext}`,
      traits: {
        name,
        ...(detail.unionid ? { unionid: detail.unionid } : {}),
        ...(phone ? { phone } : {}),
        wecomTags: tags,
        wecomChannel: state,
      },
      context: { externalIds: [{ type: 'external_userid', id: ext, collection: corp.corpId }] },
      timestamp: new Date((Number(f.CreateTime) || Date.now() / 1000) * 1000).toISOString(),
    },
    {
      type: 'track',
      event: 'WeCom Contact Added',
      messageId: `wecom-added-${corp.corpRef}-${ext}-${userid}-${f.CreateTime ?? ''}`,
      anonymousId: `wecom:${ext}`,
      properties: { userid, state, channelCode: pre.code?.name ?? null },
      context: { externalIds: [{ type: 'external_userid', id: ext, collection: corp.corpId }] },
    },
  ]);
  const created = await job.tx(async (tx) => {
    const row = (
      await sql<{ contact_id: string | null }>`insert into wecom_external_contacts
        (tenant_id, corp_ref, external_userid, userid, unit_id, name, unionid, state, code_id, remark_mobiles, tags, added_at)
        values (${corp.tenantId}, ${corp.corpRef}, ${ext}, ${userid}, ${unitId}, ${detail.name}, ${detail.unionid}, ${state},
          ${pre.code?.id ?? null}, ${JSON.stringify(detail.phones)}::jsonb, ${JSON.stringify(tags)}::jsonb,
          to_timestamp(${Number(f.CreateTime ?? 0) || Date.now() / 1000}))
        on conflict (tenant_id, corp_ref, external_userid, userid) do update set status = 'active', lost_at = null, updated_at = now()
        returning contact_id`.execute(tx)
    ).rows[0]!;
    const added = (contactId: string | null) =>
      emitContactEvent(tx, corp.tenantId, {
        type: 'wecom.contact.added',
        payload: { corpRef: corp.corpRef, externalUserid: ext, userid, state, contactId },
      });
    if (row.contact_id) {
      await added(row.contact_id);
      return false;
    }
    const actor = connectorActor(corp.tenantId, `wecom-${job.jobId}`);
    const principal = await connectorPrincipal(tx, corp.tenantId, ownerId, unitId);
    const cctx = await recordCtx(tx, principal, actor, 'contact');
    const [contact] = await createRecords(
      cctx,
      [
        {
          name: name.slice(0, 100),
          ...(phone ? { phone } : {}),
          ...(ownerId ? { ownerId, unitId } : { unitId }),
        },
      ],
      { via: 'wecom' },
    );
    const lead = await intakeFromConnector(tx, {
      tenantId: corp.tenantId,
      actor,
      ownerId,
      unitId,
      values: {
        name: name.slice(0, 100),
        ...(phone ? { phone } : {}),
        channel: pre.code?.channel ?? 'wecom',
        campaign: state,
        remark: wecomText('zh-CN', 'lead_remark', { code: pre.code?.name ?? state ?? '—' }),
      },
      sourceId: pre.code?.id ?? corp.corpRef,
      locale: 'zh-CN',
    });
    await sql`update wecom_external_contacts set contact_id = ${contact!.id!}, lead_id = ${lead.id}
      where tenant_id = ${corp.tenantId} and corp_ref = ${corp.corpRef} and external_userid = ${ext} and userid = ${userid}`.execute(
      tx,
    );
    await added(contact!.id!);
    if (pre.code)
      await sql`insert into wecom_code_daily (tenant_id, code_id, day, userid, adds) values (${corp.tenantId}, ${pre.code.id}, ${today()}, ${userid}, 1)
        on conflict (tenant_id, code_id, day, userid) do update set adds = wecom_code_daily.adds + 1`.execute(
        tx,
      );
    return true;
  });
  if (created && pre.code) await rotateIfCapped(database, corp, pre.code);
}

/**
 * Daily caps (Kehu-side): when a staff member of a multi-staff code reaches the cap today, the
 * contact way is updated to the others, so WeCom stops offering them. When everybody is capped the
 * code keeps its full list (a code with nobody would fail the scan). Tomorrow's first add restores it.
 */
async function rotateIfCapped(database: Database, corp: CorpRuntime, code: any) {
  if (!code.daily_cap || !code.config_id) return;
  const staff: string[] = code.staff;
  const counts = await inTenant(
    database.db,
    corp.tenantId,
    async (tx) =>
      (
        await sql<{ userid: string; adds: number }>`select userid, adds from wecom_code_daily
        where tenant_id = ${corp.tenantId} and code_id = ${code.id} and day = ${today()}`.execute(tx)
      ).rows,
  );
  const capped = new Set(counts.filter((c) => c.adds >= code.daily_cap).map((c) => c.userid));
  const open = staff.filter((u) => !capped.has(u));
  const users = open.length ? open : staff;
  await new WeComClient(database, corp).post('externalcontact/update_contact_way', {
    config_id: code.config_id,
    user: users,
  });
}

export async function contactLost(
  database: Database,
  job: Pick<JobContext, 'tenantId' | 'tx'>,
  corp: CorpRuntime,
  f: XmlFields,
  status: 'lost' | 'deleted',
) {
  const ext = f.ExternalUserID;
  const userid = f.UserID;
  if (!ext || !userid) return;
  const changed = await job.tx(async (tx) => {
    const r = (
      await sql<{
        name: string | null;
        code_id: string | null;
        staff_user: string | null;
        staff_name: string | null;
      }>`
        update wecom_external_contacts x set status = ${status}, lost_at = to_timestamp(${Number(f.CreateTime ?? 0) || Date.now() / 1000}), updated_at = now()
        where x.tenant_id = ${corp.tenantId} and x.corp_ref = ${corp.corpRef} and x.external_userid = ${ext} and x.userid = ${userid}
          and x.status = 'active'
        returning x.name, x.code_id,
          (select s.user_id from wecom_staff s where s.tenant_id = x.tenant_id and s.corp_ref = x.corp_ref and s.userid = x.userid) as staff_user,
          (select s.name from wecom_staff s where s.tenant_id = x.tenant_id and s.corp_ref = x.corp_ref and s.userid = x.userid) as staff_name`.execute(
        tx,
      )
    ).rows[0];
    if (!r) return false;
    await emitContactEvent(tx, corp.tenantId, {
      type: 'wecom.contact.lost',
      payload: {
        corpRef: corp.corpRef,
        externalUserid: ext,
        userid,
        reason: status === 'lost' ? 'deleted_by_customer' : 'removed_by_staff',
      },
    });
    if (r.code_id)
      await sql`insert into wecom_code_daily (tenant_id, code_id, day, userid, losses) values (${corp.tenantId}, ${r.code_id}, ${today()}, ${userid}, 1)
        on conflict (tenant_id, code_id, day, userid) do update set losses = wecom_code_daily.losses + 1`.execute(
        tx,
      );
    // 被删提醒: the customer removed the staff member — tell them and their managers.
    if (status === 'lost' && r.staff_user) {
      const managers = await managersOf(tx, corp.tenantId, r.staff_user);
      const params = { name: r.name ?? ext, staff: r.staff_name ?? userid };
      await notify(tx, corp.tenantId, {
        userIds: [r.staff_user, ...managers],
        kind: 'wecom_contact_lost',
        title: {
          'zh-CN': wecomText('zh-CN', 'lost_title', params),
          'en-US': wecomText('en-US', 'lost_title', params),
        },
        body: { 'zh-CN': wecomText('zh-CN', 'lost_body'), 'en-US': wecomText('en-US', 'lost_body') },
        link: '/wecom/contacts',
        data: { externalUserid: ext, userid },
      });
    }
    return true;
  });
  if (!changed || status !== 'lost') return;
  // A churn signal on the profile: segments and journeys can act on it.
  await ingestFromConnector(database, corp.tenantId, SOURCE_NAME, [
    {
      type: 'track',
      event: 'WeCom Contact Lost',
      messageId: `wecom-lost-${corp.corpRef}-${ext}-${userid}-${f.CreateTime ?? ''}`,
      anonymousId: `wecom:${ext}`,
      properties: { userid, churnSignal: true },
      context: { externalIds: [{ type: 'external_userid', id: ext, collection: corp.corpId }] },
    },
  ]);
}

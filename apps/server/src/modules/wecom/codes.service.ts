import type { ChannelCode, ChannelCodeInput, ChannelCodePatch } from '@kehu/contracts/wecom';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { outboundMessage } from '../../core/net/outbound.messages.ts';
import { guardedFetch, OutboundError } from '../../core/net/outbound-url.ts';
import { upsertStaff } from './callback.job.ts';
import { WeComApiError, WeComClient } from './connector/client.ts';
import { corpRuntime, getCorp, visibleUnits } from './corps.service.ts';
import { wecomProblem } from './wecom.messages.ts';
import { assertWelcomeText, pickWelcomeAttachments } from './welcome.service.ts';

/**
 * 渠道活码: a WeCom contact way (`add_contact_way`, type 1 single / 2 multi, scene 2 QR) whose
 * `state` comes back with every add and names the code; what WeCom does not know (channel for the
 * lead, auto-tags, welcome text, daily caps) stays in Kehu. WeCom is called first and the row is
 * written after it answers, so a refused code leaves nothing behind.
 */
const toCode = (r: any): ChannelCode => ({
  id: r.id,
  corpRef: r.corp_ref,
  name: r.name,
  state: r.state,
  channel: r.channel,
  configId: r.config_id,
  qrCode: r.qr_code,
  staff: r.staff,
  dailyCap: r.daily_cap,
  skipVerify: r.skip_verify,
  tags: r.tags,
  welcomeText: r.welcome_text,
  welcomeAttachments: (r.welcome_attachments ?? []).map((a: any) => ({
    materialId: a.materialId,
    kind: a.kind,
    title: a.title,
  })),
  addsToday: Number(r.adds_today ?? 0),
  addsTotal: Number(r.adds_total ?? 0),
  createdAt: new Date(r.created_at).toISOString(),
});

const CODE_COLUMNS = sql`k.*,
  (select coalesce(sum(d.adds), 0) from wecom_code_daily d where d.tenant_id = k.tenant_id and d.code_id = k.id and d.day = current_date) as adds_today,
  (select coalesce(sum(d.adds), 0) from wecom_code_daily d where d.tenant_id = k.tenant_id and d.code_id = k.id) as adds_total`;

export async function listCodes(tx: Tx, p: Principal, corpRef?: string) {
  const rows = (
    await sql<any>`select ${CODE_COLUMNS} from wecom_channel_codes k
      join wecom_corps c on c.tenant_id = k.tenant_id and c.id = k.corp_ref and c.deleted_at is null
      where k.tenant_id = ${p.tenantId} and k.deleted_at is null and c.unit_id = any(${visibleUnits(p)}::uuid[])
        and k.store_code_id is null
        ${corpRef ? sql`and k.corp_ref = ${corpRef}` : sql``}
      order by k.created_at desc`.execute(tx)
  ).rows;
  return { items: rows.map(toCode) };
}

export async function getCode(tx: Tx, p: Principal, id: string): Promise<ChannelCode> {
  const r = (
    await sql<any>`select ${CODE_COLUMNS} from wecom_channel_codes k
      join wecom_corps c on c.tenant_id = k.tenant_id and c.id = k.corp_ref and c.deleted_at is null
      where k.tenant_id = ${p.tenantId} and k.id = ${id} and k.deleted_at is null and c.unit_id = any(${visibleUnits(p)}::uuid[])`.execute(
      tx,
    )
  ).rows[0];
  if (!r) throw notFound('wecom_channel_code');
  return toCode(r);
}

/** Why WeCom did not do it, as a problem the admin can act on (secret, base URL, staff, state). */
export function wecomFailure(locale: Locale, err: unknown): never {
  if (err instanceof WeComApiError)
    throw wecomProblem('validation', locale, 'wecom_error', { errcode: err.errcode }, [
      {
        field: err.errcode === 40058 ? 'state' : err.api === 'gettoken' ? 'contactSecret' : 'staff',
        code: `wecom_${err.errcode}`,
      },
    ]);
  if (err instanceof OutboundError)
    throw wecomProblem(
      'validation',
      locale,
      'corp_unreachable',
      { reason: outboundMessage(locale, err.code) },
      [{ field: 'baseUrl', code: `outbound.${err.code}` }],
    );
  throw err;
}

/** Every userid is an active staff member of the corp, or a field error naming the first that is not. */
export async function assertStaffKnown(
  tx: Tx,
  tenantId: string,
  corpRef: string,
  staff: string[],
  locale: Locale,
) {
  const known = new Set(
    (
      await sql<{
        userid: string;
      }>`select userid from wecom_staff where tenant_id = ${tenantId} and corp_ref = ${corpRef}
        and active and userid = any(${staff}::text[])`.execute(tx)
    ).rows.map((r) => r.userid),
  );
  const missing = staff.find((s) => !known.has(s));
  if (missing)
    throw wecomProblem('validation', locale, 'staff_unknown', { userid: missing }, [
      { field: 'staff', code: 'unknown_staff' },
    ]);
}

export async function createCode(
  database: Database,
  p: Principal,
  actor: Actor,
  input: ChannelCodeInput,
  locale: Locale,
) {
  const corp = await inTenant(database.db, p.tenantId, async (tx) => {
    const visible = await getCorp(tx, p, input.corpRef);
    const taken = (
      await sql`select 1 from wecom_channel_codes where tenant_id = ${p.tenantId} and corp_ref = ${input.corpRef}
        and state = ${input.state} and deleted_at is null`.execute(tx)
    ).rows[0];
    if (taken)
      throw wecomProblem('conflict', locale, 'state_taken', { state: input.state }, [
        { field: 'state', code: 'duplicate' },
      ]);
    await assertStaffKnown(tx, p.tenantId, input.corpRef, input.staff, locale);
    assertWelcomeText(input.welcomeText, locale);
    const attachments = await pickWelcomeAttachments(tx, p, input.welcomeAttachments ?? [], locale);
    return { ...(await corpRuntime(tx, p.tenantId, input.corpRef)), unitId: visible.unitId, attachments };
  });
  let res: any;
  try {
    res = await new WeComClient(database, corp).post('externalcontact/add_contact_way', {
      type: input.staff.length > 1 ? 2 : 1,
      scene: 2,
      remark: input.name.slice(0, 30),
      skip_verify: input.skipVerify ?? true,
      state: input.state,
      user: input.staff,
    });
  } catch (err) {
    wecomFailure(locale, err);
  }
  const id = newId();
  return inTenant(database.db, p.tenantId, async (tx) => {
    await sql`insert into wecom_channel_codes (tenant_id, id, corp_ref, unit_id, name, state, channel, config_id, qr_code,
        staff, daily_cap, skip_verify, tags, welcome_text, welcome_attachments, created_by)
      values (${p.tenantId}, ${id}, ${input.corpRef}, ${corp.unitId}, ${input.name}, ${input.state}, ${input.channel ?? 'wecom'},
        ${res.config_id ?? null}, ${res.qr_code ?? null}, ${JSON.stringify(input.staff)}::jsonb, ${input.dailyCap ?? null},
        ${input.skipVerify ?? true}, ${JSON.stringify(input.tags ?? [])}::jsonb, ${input.welcomeText ?? null},
        ${JSON.stringify(corp.attachments)}::jsonb, ${actor.actorId})`.execute(tx);
    await writeAudit(tx, actor, {
      action: 'create',
      object: 'wecom_channel_code',
      recordId: id,
      meta: { ...input },
    });
    return getCode(tx, p, id);
  });
}

export async function updateCode(
  database: Database,
  p: Principal,
  actor: Actor,
  id: string,
  input: ChannelCodePatch,
  locale: Locale,
) {
  const { code, corp, attachments } = await inTenant(database.db, p.tenantId, async (tx) => {
    const code = await getCode(tx, p, id);
    if (input.staff) await assertStaffKnown(tx, p.tenantId, code.corpRef, input.staff, locale);
    assertWelcomeText(input.welcomeText, locale);
    const attachments = input.welcomeAttachments
      ? await pickWelcomeAttachments(tx, p, input.welcomeAttachments, locale)
      : null;
    return { code, corp: await corpRuntime(tx, p.tenantId, code.corpRef), attachments };
  });
  if (code.configId && (input.staff || input.skipVerify !== undefined || input.name)) {
    try {
      await new WeComClient(database, corp).post('externalcontact/update_contact_way', {
        config_id: code.configId,
        ...(input.name ? { remark: input.name.slice(0, 30) } : {}),
        ...(input.skipVerify !== undefined ? { skip_verify: input.skipVerify } : {}),
        ...(input.staff ? { user: input.staff } : {}),
      });
    } catch (err) {
      wecomFailure(locale, err);
    }
  }
  return inTenant(database.db, p.tenantId, async (tx) => {
    await sql`update wecom_channel_codes set
        name = coalesce(${input.name ?? null}, name),
        channel = coalesce(${input.channel ?? null}, channel),
        staff = coalesce(${input.staff ? JSON.stringify(input.staff) : null}::jsonb, staff),
        daily_cap = ${input.dailyCap === undefined ? sql`daily_cap` : input.dailyCap},
        skip_verify = coalesce(${input.skipVerify ?? null}, skip_verify),
        tags = coalesce(${input.tags ? JSON.stringify(input.tags) : null}::jsonb, tags),
        welcome_text = ${input.welcomeText === undefined ? sql`welcome_text` : input.welcomeText},
        welcome_attachments = coalesce(${attachments ? JSON.stringify(attachments) : null}::jsonb, welcome_attachments),
        updated_at = now()
      where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
    await writeAudit(tx, actor, {
      action: 'update',
      object: 'wecom_channel_code',
      recordId: id,
      meta: { ...input },
    });
    return getCode(tx, p, id);
  });
}

export async function deleteCode(database: Database, p: Principal, actor: Actor, id: string, locale: Locale) {
  const { code, corp } = await inTenant(database.db, p.tenantId, async (tx) => {
    const code = await getCode(tx, p, id);
    return { code, corp: await corpRuntime(tx, p.tenantId, code.corpRef) };
  });
  if (code.configId) {
    try {
      await new WeComClient(database, corp).post('externalcontact/del_contact_way', {
        config_id: code.configId,
      });
    } catch (err) {
      // Already gone in WeCom (deleted by an admin there), or the corp unbound: Kehu follows.
      if (!(err instanceof WeComApiError) && !(err instanceof OutboundError)) wecomFailure(locale, err);
    }
  }
  await inTenant(database.db, p.tenantId, async (tx) => {
    await sql`update wecom_channel_codes set deleted_at = now() where tenant_id = ${p.tenantId} and id = ${id}`.execute(
      tx,
    );
    await writeAudit(tx, actor, { action: 'delete', object: 'wecom_channel_code', recordId: id });
  });
}

export async function codeStats(tx: Tx, p: Principal, id: string, days = 30) {
  await getCode(tx, p, id);
  const byDay = (
    await sql<{ day: string; adds: number; losses: number }>`select to_char(day, 'YYYY-MM-DD') as day,
        sum(adds)::int as adds, sum(losses)::int as losses from wecom_code_daily
      where tenant_id = ${p.tenantId} and code_id = ${id} and day > current_date - ${days}::int
      group by day order by day`.execute(tx)
  ).rows;
  const byStaff = (
    await sql<{ userid: string; adds: number }>`select userid, sum(adds)::int as adds from wecom_code_daily
      where tenant_id = ${p.tenantId} and code_id = ${id} and day > current_date - ${days}::int
      group by userid order by 2 desc`.execute(tx)
  ).rows;
  return { days: byDay, byStaff };
}

// ------------------------------------------------------------------ staff directory

export async function syncStaff(database: Database, p: Principal, corpRef: string, locale: Locale) {
  const corp = await inTenant(database.db, p.tenantId, async (tx) => {
    await getCorp(tx, p, corpRef);
    return corpRuntime(tx, p.tenantId, corpRef);
  });
  let res: any;
  try {
    res = await new WeComClient(database, corp).get('user/list', { department_id: 1, fetch_child: 1 });
  } catch (err) {
    wecomFailure(locale, err);
  }
  const list: Array<{ userid: string; name: string; mobile?: string }> = (res.userlist ?? []).map(
    (u: any) => ({
      userid: String(u.userid),
      name: String(u.name ?? u.userid),
      mobile: u.mobile ? String(u.mobile) : undefined,
    }),
  );
  return inTenant(database.db, p.tenantId, async (tx) => {
    const mapped = await upsertStaff(tx, corp, list);
    return { staff: list.length, mapped };
  });
}

export async function listStaff(tx: Tx, p: Principal, corpRef: string) {
  await getCorp(tx, p, corpRef);
  const rows = (
    await sql<any>`select s.*, u.name as user_name from wecom_staff s
      left join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
      where s.tenant_id = ${p.tenantId} and s.corp_ref = ${corpRef} order by s.name`.execute(tx)
  ).rows;
  return {
    items: rows.map((r) => ({
      userid: r.userid,
      name: r.name,
      userId: r.user_id,
      userName: r.user_name ?? null,
      mappedBy: r.mapped_by ?? null,
      active: r.active,
    })),
  };
}

export async function mapStaff(
  tx: Tx,
  p: Principal,
  actor: Actor,
  corpRef: string,
  userid: string,
  userId: string | null,
  locale: Locale,
) {
  await getCorp(tx, p, corpRef);
  if (userId) {
    const u = (await sql`select 1 from users where tenant_id = ${p.tenantId} and id = ${userId}`.execute(tx))
      .rows[0];
    if (!u)
      throw wecomProblem('validation', locale, 'user_unknown', {}, [
        { field: 'userId', code: 'lookup_missing' },
      ]);
  }
  const r = await sql`update wecom_staff set user_id = ${userId}, mapped_by = ${userId ? 'manual' : null}
    where tenant_id = ${p.tenantId} and corp_ref = ${corpRef} and userid = ${userid} returning userid`.execute(
    tx,
  );
  if (!r.rows.length) throw notFound('wecom_staff');
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'wecom_staff',
    recordId: corpRef,
    meta: { userid, userId },
  });
  return listStaff(tx, p, corpRef);
}

// ------------------------------------------------------------------ external contacts

export async function listContacts(
  tx: Tx,
  p: Principal,
  q: { corpRef?: string; status?: string; limit?: number },
) {
  const rows = (
    await sql<any>`select x.*, s.name as staff_name, k.name as code_name from wecom_external_contacts x
      join wecom_corps c on c.tenant_id = x.tenant_id and c.id = x.corp_ref and c.deleted_at is null
      left join wecom_staff s on s.tenant_id = x.tenant_id and s.corp_ref = x.corp_ref and s.userid = x.userid
      left join wecom_channel_codes k on k.tenant_id = x.tenant_id and k.id = x.code_id
      where x.tenant_id = ${p.tenantId} and x.unit_id = any(${visibleUnits(p)}::uuid[])
        ${q.corpRef ? sql`and x.corp_ref = ${q.corpRef}` : sql``}
        ${q.status ? sql`and x.status = ${q.status}` : sql``}
      order by x.added_at desc limit ${q.limit ?? 50}`.execute(tx)
  ).rows;
  return {
    items: rows.map((r) => ({
      corpRef: r.corp_ref,
      externalUserid: r.external_userid,
      userid: r.userid,
      staffName: r.staff_name ?? null,
      name: r.name,
      state: r.state,
      codeName: r.code_name ?? null,
      tags: r.tags,
      contactId: r.contact_id,
      leadId: r.lead_id,
      profileId: r.profile_id,
      status: r.status,
      addedAt: new Date(r.added_at).toISOString(),
      lostAt: r.lost_at ? new Date(r.lost_at).toISOString() : null,
    })),
  };
}

/**
 * The code's QR image, fetched from WeCom through the outbound guard: the web app's CSP allows
 * images from its own origin only, and a poster download should not send the browser to WeCom.
 */
export interface QrImage {
  type: string;
  body: Buffer;
  name: string;
}

/**
 * A WeCom QR image (channel code, join code …), fetched through the outbound guard so pages,
 * prints and PNG downloads never link to WeCom's host. Only image types pass; anything else is
 * the same 404 as no QR at all.
 */
export async function fetchQrImage(qrUrl: string | null, state: string, locale: Locale): Promise<QrImage> {
  if (!qrUrl) throw notFound('wecom_qr');
  let res: Awaited<ReturnType<typeof guardedFetch>>;
  try {
    res = await guardedFetch(qrUrl, {}, { maxResponseBytes: 2 * 1024 * 1024, timeoutMs: 10_000 });
  } catch (err) {
    wecomFailure(locale, err);
  }
  const type = String(res.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  if (res.status !== 200 || !/^image\/(png|jpeg|gif|webp|svg\+xml)$/.test(type)) throw notFound('wecom_qr');
  return { type, body: res.body, name: `${state}.${type.includes('svg') ? 'svg' : type.split('/')[1]}` };
}

export async function codeQrImage(database: Database, p: Principal, id: string, locale: Locale) {
  const code = await inTenant(database.db, p.tenantId, (tx) => getCode(tx, p, id), { readOnly: true });
  return fetchQrImage(code.qrCode, code.state, locale);
}

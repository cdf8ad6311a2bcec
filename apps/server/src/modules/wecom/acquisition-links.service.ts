import type {
  AcquisitionLink,
  AcquisitionLinkInput,
  AcquisitionLinkPatch,
  AcquisitionQuota,
} from '@kehu/contracts/wecom-acquisition';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { notify } from '../notifications/index.ts';
import { acquisitionText } from './acquisition-links.messages.ts';
import { assertStaffKnown, wecomFailure } from './codes.service.ts';
import type { XmlFields } from './connector/callback-crypto.ts';
import { WeComClient } from './connector/client.ts';
import { type CorpRuntime, corpRuntime, getCorp, visibleUnits } from './corps.service.ts';
import { wecomProblem } from './wecom.messages.ts';

/**
 * 获客链接: WeCom holds the link (`customer_acquisition/*`) and picks the staff member; Kehu keeps
 * the state it appends as `customer_channel`, which WeCom hands back as the add's State. The add
 * then goes through the ordinary add handling (lead campaign = state, CDP, welcome), and counts are
 * read from `wecom_external_contacts.state`, so a link needs no hook in the callback job.
 */
const shareUrl = (url: string, state: string) =>
  `${url}${url.includes('?') ? '&' : '?'}customer_channel=${encodeURIComponent(state)}`;

const toLink = (r: any): AcquisitionLink => ({
  id: r.id,
  corpRef: r.corp_ref,
  name: r.name,
  state: r.state,
  linkId: r.link_id,
  url: shareUrl(r.url, r.state),
  staff: r.staff,
  skipVerify: r.skip_verify,
  addsToday: Number(r.adds_today ?? 0),
  addsTotal: Number(r.adds_total ?? 0),
  createdAt: new Date(r.created_at).toISOString(),
});

const LINK_COLUMNS = sql`l.*,
  (select count(*) from wecom_external_contacts x where x.tenant_id = l.tenant_id and x.corp_ref = l.corp_ref
     and x.state = l.state and x.added_at >= current_date) as adds_today,
  (select count(*) from wecom_external_contacts x where x.tenant_id = l.tenant_id and x.corp_ref = l.corp_ref
     and x.state = l.state) as adds_total`;

export async function listLinks(tx: Tx, p: Principal, corpRef?: string) {
  const rows = (
    await sql<any>`select ${LINK_COLUMNS} from wecom_acquisition_links l
      join wecom_corps c on c.tenant_id = l.tenant_id and c.id = l.corp_ref and c.deleted_at is null
      where l.tenant_id = ${p.tenantId} and l.deleted_at is null and c.unit_id = any(${visibleUnits(p)}::uuid[])
        ${corpRef ? sql`and l.corp_ref = ${corpRef}` : sql``}
      order by l.created_at desc`.execute(tx)
  ).rows;
  return { items: rows.map(toLink) };
}

export async function getLink(tx: Tx, p: Principal, id: string): Promise<AcquisitionLink> {
  const r = (
    await sql<any>`select ${LINK_COLUMNS} from wecom_acquisition_links l
      join wecom_corps c on c.tenant_id = l.tenant_id and c.id = l.corp_ref and c.deleted_at is null
      where l.tenant_id = ${p.tenantId} and l.id = ${id} and l.deleted_at is null
        and c.unit_id = any(${visibleUnits(p)}::uuid[])`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('wecom_acquisition_link');
  return toLink(r);
}

/** Adds per day over the last `days` days (Asia/Shanghai days are the server's current_date). */
export async function linkDaily(tx: Tx, p: Principal, id: string, days: number) {
  const link = await getLink(tx, p, id);
  const rows = (
    await sql<{ day: string; adds: string }>`
      select to_char(d::date, 'YYYY-MM-DD') as day,
        (select count(*) from wecom_external_contacts x where x.tenant_id = ${p.tenantId} and x.corp_ref = ${link.corpRef}
           and x.state = ${link.state} and x.added_at >= d and x.added_at < d + interval '1 day') as adds
      from generate_series(current_date - ${days - 1}::int, current_date, interval '1 day') d order by d`.execute(
      tx,
    )
  ).rows;
  return { items: rows.map((r) => ({ day: r.day, adds: Number(r.adds) })) };
}

export async function createLink(
  database: Database,
  p: Principal,
  actor: Actor,
  input: AcquisitionLinkInput,
  locale: Locale,
) {
  const corp = await inTenant(database.db, p.tenantId, async (tx) => {
    const visible = await getCorp(tx, p, input.corpRef);
    // A link's state must not collide with a code's either: the add would be counted twice.
    const taken = (
      await sql`select 1 from wecom_acquisition_links where tenant_id = ${p.tenantId} and corp_ref = ${input.corpRef}
          and state = ${input.state} and deleted_at is null
        union all select 1 from wecom_channel_codes where tenant_id = ${p.tenantId} and corp_ref = ${input.corpRef}
          and state = ${input.state} and deleted_at is null`.execute(tx)
    ).rows[0];
    if (taken)
      throw wecomProblem('conflict', locale, 'state_taken', { state: input.state }, [
        { field: 'state', code: 'duplicate' },
      ]);
    await assertStaffKnown(tx, p.tenantId, input.corpRef, input.staff, locale);
    return { ...(await corpRuntime(tx, p.tenantId, input.corpRef)), unitId: visible.unitId };
  });
  let res: any;
  try {
    res = await new WeComClient(database, corp).post('externalcontact/customer_acquisition/create_link', {
      link_name: input.name,
      range: { user_list: input.staff },
      skip_verify: input.skipVerify ?? true,
    });
  } catch (err) {
    wecomFailure(locale, err);
  }
  const id = newId();
  return inTenant(database.db, p.tenantId, async (tx) => {
    await sql`insert into wecom_acquisition_links (tenant_id, id, corp_ref, unit_id, name, state, link_id, url, staff, skip_verify, created_by)
      values (${p.tenantId}, ${id}, ${input.corpRef}, ${corp.unitId}, ${input.name}, ${input.state}, ${res.link.link_id},
        ${res.link.url}, ${JSON.stringify(input.staff)}::jsonb, ${input.skipVerify ?? true}, ${actor.actorId})`.execute(
      tx,
    );
    await writeAudit(tx, actor, {
      action: 'create',
      object: 'wecom_acquisition_link',
      recordId: id,
      meta: { ...input },
    });
    return getLink(tx, p, id);
  });
}

export async function updateLink(
  database: Database,
  p: Principal,
  actor: Actor,
  id: string,
  input: AcquisitionLinkPatch,
  locale: Locale,
) {
  const { link, corp } = await inTenant(database.db, p.tenantId, async (tx) => {
    const link = await getLink(tx, p, id);
    if (input.staff) await assertStaffKnown(tx, p.tenantId, link.corpRef, input.staff, locale);
    return { link, corp: await corpRuntime(tx, p.tenantId, link.corpRef) };
  });
  try {
    await new WeComClient(database, corp).post('externalcontact/customer_acquisition/update_link', {
      link_id: link.linkId,
      ...(input.name ? { link_name: input.name } : {}),
      ...(input.staff ? { range: { user_list: input.staff } } : {}),
      ...(input.skipVerify !== undefined ? { skip_verify: input.skipVerify } : {}),
    });
  } catch (err) {
    wecomFailure(locale, err);
  }
  return inTenant(database.db, p.tenantId, async (tx) => {
    await sql`update wecom_acquisition_links set name = coalesce(${input.name ?? null}, name),
        staff = coalesce(${input.staff ? JSON.stringify(input.staff) : null}::jsonb, staff),
        skip_verify = coalesce(${input.skipVerify ?? null}, skip_verify), updated_at = now()
      where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
    await writeAudit(tx, actor, {
      action: 'update',
      object: 'wecom_acquisition_link',
      recordId: id,
      meta: { ...input },
    });
    return getLink(tx, p, id);
  });
}

export async function deleteLink(database: Database, p: Principal, actor: Actor, id: string, locale: Locale) {
  const { link, corp } = await inTenant(database.db, p.tenantId, async (tx) => {
    const link = await getLink(tx, p, id);
    return { link, corp: await corpRuntime(tx, p.tenantId, link.corpRef) };
  });
  try {
    await new WeComClient(database, corp).post('externalcontact/customer_acquisition/delete_link', {
      link_id: link.linkId,
    });
  } catch (err) {
    // Already gone in WeCom (deleted in the admin console): Kehu follows.
    if (!(err instanceof Error && 'errcode' in err && (err as any).errcode === 40058))
      wecomFailure(locale, err);
  }
  await inTenant(database.db, p.tenantId, async (tx) => {
    await sql`update wecom_acquisition_links set deleted_at = now() where tenant_id = ${p.tenantId} and id = ${id}`.execute(
      tx,
    );
    await writeAudit(tx, actor, { action: 'delete', object: 'wecom_acquisition_link', recordId: id });
  });
}

export async function acquisitionQuota(
  database: Database,
  p: Principal,
  corpRef: string,
  locale: Locale,
): Promise<AcquisitionQuota> {
  const { corp, alert } = await inTenant(database.db, p.tenantId, async (tx) => {
    await getCorp(tx, p, corpRef);
    const alert = (
      await sql<{ kind: 'balance_low' | 'balance_exhausted'; received_at: Date }>`select kind, received_at
        from wecom_acquisition_alerts where tenant_id = ${p.tenantId} and corp_ref = ${corpRef}
        order by received_at desc, (kind = 'balance_exhausted') desc limit 1`.execute(tx)
    ).rows[0];
    return { corp: await corpRuntime(tx, p.tenantId, corpRef), alert };
  });
  let res: any;
  try {
    res = await new WeComClient(database, corp).post('externalcontact/customer_acquisition_quota', {});
  } catch (err) {
    wecomFailure(locale, err);
  }
  const balance = typeof res?.balance === 'number' ? res.balance : null;
  // A topped-up quota clears the banner even if the last push was a warning.
  const stale = alert && alert.kind === 'balance_exhausted' && balance !== null && balance > 0;
  return {
    total: typeof res?.total === 'number' ? res.total : null,
    balance,
    alert: alert && !stale ? { kind: alert.kind, at: new Date(alert.received_at).toISOString() } : null,
  };
}

/** Users who can act on the corp's quota: wecom:manage holders at the corp's unit or above it. */
async function corpAdmins(tx: Tx, tenantId: string, unitId: string): Promise<string[]> {
  return (
    await sql<{ id: string }>`select distinct m.id from users m
      join units mu on mu.tenant_id = m.tenant_id and mu.id = m.unit_id
      join user_roles ur on ur.tenant_id = m.tenant_id and ur.user_id = m.id
      join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id
      join units cu on cu.tenant_id = m.tenant_id and cu.id = ${unitId}
      where m.tenant_id = ${tenantId} and m.status = 'active' and cu.path like mu.path || '%'
        and (r.permissions && array['wecom:manage', 'wecom:*', '*']::text[])`.execute(tx)
  ).rows.map((r) => r.id);
}

/** `customer_acquisition` balance_low / balance_exhausted: remember it (banner) and tell the corp's admins. */
export async function acquisitionBalanceEvent(tx: Tx, corp: CorpRuntime, f: XmlFields) {
  const kind = f.ChangeType === 'balance_exhausted' ? 'balance_exhausted' : 'balance_low';
  const at = Number(f.CreateTime ?? 0) || Math.floor(Date.now() / 1000);
  const inserted = (
    await sql`insert into wecom_acquisition_alerts (tenant_id, corp_ref, kind, received_at)
      values (${corp.tenantId}, ${corp.corpRef}, ${kind}, to_timestamp(${at})) on conflict do nothing returning 1`.execute(
      tx,
    )
  ).rows.length;
  if (!inserted) return;
  const userIds = await corpAdmins(tx, corp.tenantId, corp.unitId);
  if (!userIds.length) return;
  const params = { corp: corp.name };
  await notify(tx, corp.tenantId, {
    userIds,
    kind: `wecom_acquisition_${kind}`,
    title: {
      'zh-CN': acquisitionText('zh-CN', `${kind}_title`, params),
      'en-US': acquisitionText('en-US', `${kind}_title`, params),
    },
    body: {
      'zh-CN': acquisitionText('zh-CN', `${kind}_body`, params),
      'en-US': acquisitionText('en-US', `${kind}_body`, params),
    },
    link: '/wecom/acquisition-links',
    data: { corpRef: corp.corpRef },
  });
}

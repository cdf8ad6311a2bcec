import { sql } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { ingestFromConnector } from '../cdp/index.ts';
import { intakeFromConnector } from '../leads/index.ts';
import { notify } from '../notifications/index.ts';
import type { Anchor } from './share.service.ts';
import { newShareToken, tenantOfShareToken } from './share-token.ts';

export const CDP_SOURCE = 'Kehu 素材库';
/** Link checkers, crawlers and chat-app preview fetchers are nobody reading. */
const BOT =
  /bot|spider|crawl|slurp|preview|externalhit|curl\/|wget\/|python-requests|go-http-client|okhttp|headless(?!chrome)/i;
export const isBot = (ua: string | undefined) => !ua || BOT.test(ua);

export interface SharedMaterial {
  tenantId: string;
  shareId: string;
  token: string;
  depth: number;
  parentId: string | null;
  staffId: string;
  staffName: string;
  staffUnitId: string;
  profileId: string | null;
  customerId: string | null;
  customerName: string | null;
  anchor: Anchor | null;
  material: {
    id: string;
    kind: string;
    title: string;
    summary: string | null;
    coverUrl: string | null;
    bodyHtml: string | null;
    linkUrl: string | null;
    mini: { appid: string; pagepath: string } | null;
    qrSlot: { x: number; y: number; size: number } | null;
    fileMime: string | null;
    updatedAt: string;
  };
}

export async function loadShare(tx: Tx, tenantId: string, token: string): Promise<SharedMaterial | null> {
  const r = (
    await sql<any>`select s.id as share_id, s.token, s.depth, s.parent_id, s.staff_id, s.profile_id, s.customer_id,
        s.customer_name, s.anchor, u.name as staff_name, u.unit_id as staff_unit_id,
        m.id, m.kind, m.title, m.summary, m.cover_url, m.body_html, m.link_url, m.mini, m.qr_slot, m.file_mime, m.updated_at
      from material_shares s
      join materials m on m.tenant_id = s.tenant_id and m.id = s.material_id and m.deleted_at is null
      join users u on u.tenant_id = s.tenant_id and u.id = s.staff_id
      where s.tenant_id = ${tenantId} and s.token = ${token}`.execute(tx)
  ).rows[0];
  if (!r) return null;
  return {
    tenantId,
    shareId: r.share_id,
    token: r.token,
    depth: r.depth,
    parentId: r.parent_id,
    staffId: r.staff_id,
    staffName: r.staff_name,
    staffUnitId: r.staff_unit_id,
    profileId: r.profile_id,
    customerId: r.customer_id,
    customerName: r.customer_name,
    anchor: r.anchor,
    material: {
      id: r.id,
      kind: r.kind,
      title: r.title,
      summary: r.summary,
      coverUrl: r.cover_url,
      bodyHtml: r.body_html,
      linkUrl: r.link_url,
      mini: r.mini,
      qrSlot: r.qr_slot,
      fileMime: r.file_mime,
      updatedAt: new Date(r.updated_at).toISOString(),
    },
  };
}

/** Runs `fn` in the token's tenant with its share; null when the token names nothing live. */
export async function withShare<T>(
  database: Database,
  token: string,
  fn: (tx: Tx, s: SharedMaterial) => Promise<T>,
): Promise<{ share: SharedMaterial; value: T } | null> {
  const tenantId = tenantOfShareToken(token);
  if (!tenantId) return null;
  return inTenant(database.db, tenantId, async (tx) => {
    const s = await loadShare(tx, tenantId, token);
    if (!s) return null;
    return { share: s, value: await fn(tx, s) };
  });
}

/**
 * The CDP message identity: the share's anchor puts the intended reader's events on their
 * profile; a forwarded copy's reader is an anonymous visitor the CDP can merge later.
 */
function who(s: SharedMaterial, visitor: string): Record<string, unknown> {
  const anon = `material-reader:${visitor}`;
  const a = s.anchor;
  if (!a) return { anonymousId: anon };
  if (a.kind === 'user_id') return { userId: a.value, anonymousId: anon };
  if (a.kind === 'anonymous_id') return { anonymousId: a.value };
  const type = a.kind === 'wecom_external_userid' ? 'external_userid' : a.kind;
  return {
    anonymousId: anon,
    context: { externalIds: [{ type, id: a.value, ...(a.namespace ? { collection: a.namespace } : {}) }] },
  };
}

function track(
  s: SharedMaterial,
  visitor: string,
  event: string,
  messageId: string,
  props: Record<string, unknown>,
) {
  const w = who(s, visitor);
  return {
    type: 'track',
    event,
    messageId,
    ...w,
    properties: {
      materialId: s.material.id,
      materialTitle: s.material.title,
      materialKind: s.material.kind,
      staffId: s.staffId,
      forwardDepth: s.depth,
      ...props,
    },
  };
}

const minutes = (seconds: number) => Math.max(1, Math.round(seconds / 60));

async function alertWatchers(tx: Tx, s: SharedMaterial, readId: string, seconds: number, first: boolean) {
  const owner = s.customerId
    ? (
        await sql<{
          owner_id: string | null;
        }>`select owner_id from customers where tenant_id = ${s.tenantId} and id = ${s.customerId}`.execute(
          tx,
        )
      ).rows[0]?.owner_id
    : null;
  const reader = s.customerName ?? null;
  const zhWho = reader ?? (s.depth > 0 ? '一位转发读者' : '一位客户');
  const enWho = reader ?? (s.depth > 0 ? 'A forwarded reader' : 'A customer');
  const t = s.material.title;
  await notify(tx, s.tenantId, {
    userIds: [s.staffId, ...(owner ? [owner] : [])],
    kind: 'material_reading',
    title: first
      ? { 'zh-CN': `${zhWho}正在看《${t}》`, 'en-US': `${enWho} is reading "${t}"` }
      : {
          'zh-CN': `${zhWho}正在看《${t}》，已 ${minutes(seconds)} 分钟`,
          'en-US': `${enWho} is reading "${t}" (${minutes(seconds)} min)`,
        },
    link: `/materials/${s.material.id}/report`,
    object: 'customer',
    ...(s.customerId ? { recordId: s.customerId } : {}),
    data: { materialId: s.material.id, readId, seconds, shareId: s.shareId },
  });
}

export interface OpenResult {
  readId: string | null;
  cdp: Record<string, unknown>[];
}

/** A page view: one read per (link, visitor) however often it is reloaded; bots are not readers. */
export async function recordOpen(
  tx: Tx,
  s: SharedMaterial,
  visitor: string,
  hints: { ua?: string; ip: string },
): Promise<OpenResult> {
  if (isBot(hints.ua)) return { readId: null, cdp: [] };
  const id = newId();
  const inserted = (
    await sql<{
      id: string;
    }>`insert into material_reads (tenant_id, id, share_id, material_id, visitor, notified_at)
      values (${s.tenantId}, ${id}, ${s.shareId}, ${s.material.id}, ${visitor}, now())
      on conflict (tenant_id, share_id, visitor) do nothing returning id`.execute(tx)
  ).rows[0];
  if (!inserted) {
    const r = (
      await sql<{ id: string }>`select id from material_reads where tenant_id = ${s.tenantId}
        and share_id = ${s.shareId} and visitor = ${visitor}`.execute(tx)
    ).rows[0];
    return { readId: r?.id ?? null, cdp: [] };
  }
  await alertWatchers(tx, s, id, 0, true);
  const cdp: Record<string, unknown>[] = [];
  if (!s.anchor)
    cdp.push({
      type: 'identify',
      messageId: `material-reader-${id}`,
      ...who(s, visitor),
      traits: {
        firstMaterial: s.material.title,
        referredByStaff: s.staffName,
        userAgent: hints.ua?.slice(0, 200),
      },
    });
  cdp.push(track(s, visitor, 'Material Opened', `material-open-${id}`, {}));
  return { readId: id, cdp };
}

/**
 * A heartbeat while the page is visible: each sequence number counts once (sendBeacon may
 * deliver twice), adds its seconds, and at most once a minute refreshes the "正在看" alert.
 */
export async function recordBeat(
  tx: Tx,
  s: SharedMaterial,
  beat: { v: string; seq: number; seconds: number; end?: boolean },
): Promise<{ counted: boolean; seconds: number; cdp: Record<string, unknown>[] }> {
  const read = (
    await sql<{ id: string }>`select id from material_reads where tenant_id = ${s.tenantId}
      and share_id = ${s.shareId} and visitor = ${beat.v}`.execute(tx)
  ).rows[0];
  if (!read) return { counted: false, seconds: 0, cdp: [] };
  const fresh = (
    await sql`insert into material_beats (tenant_id, read_id, seq) values (${s.tenantId}, ${read.id}, ${beat.seq})
      on conflict do nothing returning seq`.execute(tx)
  ).rows.length;
  if (!fresh) return { counted: false, seconds: 0, cdp: [] };
  const r = (
    await sql<{
      seconds: number;
      alert: boolean;
    }>`update material_reads set seconds = seconds + ${beat.seconds},
        beats = beats + 1, last_seen_at = now(),
        notified_at = case when notified_at < now() - interval '60 seconds' and not ${beat.end ?? false}
          then now() else notified_at end
      where tenant_id = ${s.tenantId} and id = ${read.id}
      returning seconds, (notified_at = now()) as alert`.execute(tx)
  ).rows[0]!;
  if (r.alert) await alertWatchers(tx, s, read.id, r.seconds, false);
  const cdp = beat.end
    ? [track(s, beat.v, 'Material Read', `material-read-${read.id}-${beat.seq}`, { seconds: r.seconds })]
    : [];
  return { counted: true, seconds: r.seconds, cdp };
}

/** A reader forwards the page: their copy carries a child token (one per reader per link). */
export async function forwardShare(tx: Tx, s: SharedMaterial, visitor: string): Promise<string> {
  const token = newShareToken(s.tenantId);
  const r = (
    await sql<{
      token: string;
    }>`insert into material_shares (tenant_id, id, token, material_id, staff_id, parent_id,
        depth, forwarded_by)
      values (${s.tenantId}, ${newId()}, ${token}, ${s.material.id}, ${s.staffId}, ${s.shareId}, ${s.depth + 1}, ${visitor})
      on conflict (tenant_id, parent_id, forwarded_by) where parent_id is not null
      do update set forwarded_by = excluded.forwarded_by returning token`.execute(tx)
  ).rows[0]!;
  return r.token;
}

/**
 * A reader leaves a phone (with consent): a lead owned by the sharing staff member, attributed
 * to the material; the phone joins the reader's CDP identity so the profiles can merge.
 */
export async function recordLead(
  tx: Tx,
  s: SharedMaterial,
  input: { v: string; name?: string; phone: string },
): Promise<{ leadId: string | null; cdp: Record<string, unknown>[] }> {
  const id = newId();
  const fresh = (
    await sql`insert into material_leads (tenant_id, id, share_id, material_id, staff_id, phone, name)
      values (${s.tenantId}, ${id}, ${s.shareId}, ${s.material.id}, ${s.staffId}, ${input.phone}, ${input.name ?? null})
      on conflict (tenant_id, material_id, phone) do nothing returning id`.execute(tx)
  ).rows.length;
  if (!fresh) return { leadId: null, cdp: [] };
  const lead = await intakeFromConnector(tx, {
    tenantId: s.tenantId,
    actor: { tenantId: s.tenantId, actorId: null, actorKind: 'system' },
    ownerId: s.staffId,
    unitId: s.staffUnitId,
    values: {
      name: (input.name || `素材读者 ${input.phone.slice(-4)}`).slice(0, 100),
      phone: input.phone,
      channel: 'referral',
      campaign: `素材：${s.material.title}`.slice(0, 100),
    },
    sourceId: s.material.id,
    locale: 'zh-CN',
  });
  await sql`update material_leads set lead_id = ${lead.id} where tenant_id = ${s.tenantId} and id = ${id}`.execute(
    tx,
  );
  return {
    leadId: lead.id,
    cdp: [
      {
        type: 'identify',
        messageId: `material-lead-${id}`,
        anonymousId: `material-reader:${input.v}`,
        traits: { phone: input.phone, ...(input.name ? { name: input.name } : {}) },
      },
      track(s, input.v, 'Material Lead', `material-lead-event-${id}`, { leadId: lead.id }),
    ],
  };
}

export async function sendToCdp(database: Database, tenantId: string, messages: Record<string, unknown>[]) {
  if (messages.length) await ingestFromConnector(database, tenantId, CDP_SOURCE, messages);
}

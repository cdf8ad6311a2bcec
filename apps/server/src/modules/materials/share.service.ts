import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { publicBaseUrl } from '../../core/mail/mailer.ts';
import { recordCtx } from '../../engine/records/record-ctx.ts';
import { getRecord } from '../../engine/records/record-read.service.ts';
import type { ShareInput } from './material.schemas.ts';
import { getMaterial, type MaterialOut } from './material.service.ts';
import { newShareToken } from './share-token.ts';

/** Identity kinds in the order the CDP trusts them: the anchor that lands events on the profile. */
const ANCHOR_ORDER = [
  'user_id',
  'member_no',
  'wechat_unionid',
  'wecom_external_userid',
  'phone',
  'email',
  'openid',
  'anonymous_id',
];

export interface Anchor {
  kind: string;
  namespace: string;
  value: string;
}

interface Recipient {
  profileId: string | null;
  customerId: string | null;
  customerName: string | null;
}

async function profileOfCustomer(tx: Tx, tenantId: string, customerId: string): Promise<string | null> {
  const r = (
    await sql<{ profile_id: string }>`select profile_id from cdp_profile_links
      where tenant_id = ${tenantId} and object = 'customer' and record_id = ${customerId}`.execute(tx)
  ).rows[0];
  return r?.profile_id ?? null;
}

async function visibleCustomer(tx: Tx, p: Principal, actor: Actor, id: string) {
  const ctx = await recordCtx(tx, p, actor, 'customer');
  const c = await getRecord(ctx, id);
  return { id, name: String((c as any).name ?? '') || null };
}

/**
 * Who the material goes to. A customer must be one the staff member sees; a profile or WeCom
 * contact linked to a customer must be too (otherwise the same 404 as a stranger's id).
 */
async function recipient(tx: Tx, p: Principal, actor: Actor, input: ShareInput): Promise<Recipient> {
  const t = p.tenantId;
  if (input.customerId) {
    const c = await visibleCustomer(tx, p, actor, input.customerId);
    return { profileId: await profileOfCustomer(tx, t, c.id), customerId: c.id, customerName: c.name };
  }
  let profileId: string | null = null;
  if (input.profileId) {
    profileId =
      (
        await sql<{
          id: string;
        }>`select id from cdp_profiles where tenant_id = ${t} and id = ${input.profileId}`.execute(tx)
      ).rows[0]?.id ?? null;
  } else if (input.externalUserId) {
    profileId =
      (
        await sql<{ profile_id: string }>`select profile_id from cdp_identities where tenant_id = ${t}
        and kind = 'wecom_external_userid' and value = ${input.externalUserId} limit 1`.execute(tx)
      ).rows[0]?.profile_id ?? null;
  } else return { profileId: null, customerId: null, customerName: null };
  if (!profileId) throw notFound('profile');
  const link = (
    await sql<{ record_id: string }>`select record_id from cdp_profile_links
      where tenant_id = ${t} and profile_id = ${profileId} and object = 'customer' limit 1`.execute(tx)
  ).rows[0];
  if (!link) return { profileId, customerId: null, customerName: null };
  const c = await visibleCustomer(tx, p, actor, link.record_id);
  return { profileId, customerId: c.id, customerName: c.name };
}

export async function anchorOf(tx: Tx, tenantId: string, profileId: string | null): Promise<Anchor | null> {
  if (!profileId) return null;
  const rows = (
    await sql<Anchor>`select kind, namespace, value from cdp_identities
      where tenant_id = ${tenantId} and profile_id = ${profileId} and kind = any(${ANCHOR_ORDER}::text[])`.execute(
      tx,
    )
  ).rows;
  rows.sort((a, b) => ANCHOR_ORDER.indexOf(a.kind) - ANCHOR_ORDER.indexOf(b.kind));
  return rows[0] ?? null;
}

export const readerUrl = (token: string) => `${publicBaseUrl()}/m/${token}`;

/**
 * What the sidebar hands WeCom's `sendChatMessage`: a news card to the reader page, a
 * mini-program card carrying the token in its page path, or the staff member's poster image
 * (the sidebar uploads it for a media id).
 */
export function messagePayload(m: MaterialOut, token: string) {
  const url = readerUrl(token);
  // The reader cannot fetch signed-in URLs: only a public cover, or the poster itself.
  const imgUrl = m.coverUrl?.startsWith('http') ? m.coverUrl : m.kind === 'poster' ? `${url}/poster.png` : '';
  if (m.kind === 'miniprogram' && m.mini) {
    const sep = m.mini.pagepath.includes('?') ? '&' : '?';
    return {
      msgtype: 'miniprogram' as const,
      enterChat: true,
      miniprogram: {
        appid: m.mini.appid,
        title: m.title,
        imgUrl,
        page: `${m.mini.pagepath}${sep}kehu_mt=${token}`,
      },
    };
  }
  if (m.kind === 'poster')
    return { msgtype: 'image' as const, enterChat: true, image: { imgUrl: `${url}/poster.png`, link: url } };
  return {
    msgtype: 'news' as const,
    enterChat: true,
    news: { title: m.title, desc: m.summary ?? '', link: url, imgUrl },
  };
}

/** One token per (staff, recipient, material): sharing again reuses the link and its history. */
export async function shareMaterial(tx: Tx, p: Principal, actor: Actor, id: string, input: ShareInput) {
  const m = await getMaterial(tx, p, id);
  const to = await recipient(tx, p, actor, input);
  const existing = (
    await sql<{ token: string; id: string }>`select id, token from material_shares
      where tenant_id = ${p.tenantId} and material_id = ${id} and staff_id = ${p.userId} and parent_id is null
        and profile_id is not distinct from ${to.profileId}::uuid and customer_id is not distinct from ${to.customerId}::uuid
      limit 1`.execute(tx)
  ).rows[0];
  let token = existing?.token;
  let shareId = existing?.id;
  if (!token) {
    token = newShareToken(p.tenantId);
    shareId = newId();
    const anchor = await anchorOf(tx, p.tenantId, to.profileId);
    await sql`insert into material_shares (tenant_id, id, token, material_id, staff_id, profile_id, customer_id,
        customer_name, anchor)
      values (${p.tenantId}, ${shareId}, ${token}, ${id}, ${p.userId}, ${to.profileId}, ${to.customerId},
        ${to.customerName}, ${anchor ? JSON.stringify(anchor) : null}::jsonb)`.execute(tx);
  }
  return {
    shareId: shareId!,
    token,
    url: readerUrl(token),
    customerId: to.customerId,
    profileId: to.profileId,
    payload: messagePayload(m, token),
  };
}

import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import QRCode from 'qrcode';
import sharp from 'sharp';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { publicBaseUrl } from '../../core/mail/mailer.ts';
import { codeMaker, newPublicToken, newState, tenantOfPublicToken } from '../cards/index.ts';
import { ingestFromConnector } from '../cdp/index.ts';
import { fileBytes } from '../materials/index.ts';
import { createCode, createJoinCode, fetchQrImage } from '../wecom/index.ts';
import { participantAnonymousId } from './reward-coupon.ts';

export const progressUrl = (token: string) => `${publicBaseUrl()}/f/p/${token}`;

export interface PublicCampaign {
  tenantId: string;
  id: string;
  name: string;
  startsOn: string;
  endsOn: string;
  running: boolean;
  inviteTarget: number;
  rewardText: string;
  rewardType: string;
  task: 'add_staff' | 'join_group';
  groupChatIds: string[];
  corpRef: string;
  unitId: string;
  staff: string[];
  posterMaterialId: string | null;
  createdBy: string | null;
}

const CAMPAIGN_SQL = (tenantId: string) => sql`select k.*, t.time_zone,
    (now() at time zone t.time_zone)::date between k.starts_on and k.ends_on as running
  from fission_campaigns k join tenants t on t.id = k.tenant_id
  where k.tenant_id = ${tenantId} and k.deleted_at is null`;

const toPublic = (tenantId: string, r: any): PublicCampaign => ({
  tenantId,
  id: r.id,
  name: r.name,
  startsOn: String(r.starts_on instanceof Date ? r.starts_on.toISOString() : r.starts_on).slice(0, 10),
  endsOn: String(r.ends_on instanceof Date ? r.ends_on.toISOString() : r.ends_on).slice(0, 10),
  running: r.running,
  inviteTarget: r.invite_target,
  rewardText: r.reward_text,
  rewardType: r.reward_type,
  task: r.task,
  groupChatIds: r.group_chat_ids ?? [],
  corpRef: r.corp_ref,
  unitId: r.unit_id,
  staff: r.staff,
  posterMaterialId: r.poster_material_id,
  createdBy: r.created_by,
});

export async function campaignByToken(database: Database, token: string): Promise<PublicCampaign | null> {
  const tenantId = tenantOfPublicToken(token);
  if (!tenantId) return null;
  return inTenant(
    database.db,
    tenantId,
    async (tx) => {
      const r = (await sql<any>`${CAMPAIGN_SQL(tenantId)} and k.token = ${token}`.execute(tx)).rows[0];
      return r ? toPublic(tenantId, r) : null;
    },
    { readOnly: true },
  );
}

export interface Progress {
  campaign: PublicCampaign;
  participant: { id: string; name: string; token: string; codeQr: string | null; codeState: string };
  done: number;
  reward: {
    status: string;
    text: string;
    /** A coupon reward: pending until issued, then its code (the participant's own), or failed. */
    coupon: { status: string; code: string | null; expiresAt: string | null } | null;
  } | null;
}

export async function progressByToken(database: Database, token: string): Promise<Progress | null> {
  const tenantId = tenantOfPublicToken(token);
  if (!tenantId) return null;
  return inTenant(
    database.db,
    tenantId,
    async (tx) => {
      const p = (
        await sql<any>`select * from fission_participants where tenant_id = ${tenantId} and token = ${token}`.execute(
          tx,
        )
      ).rows[0];
      if (!p) return null;
      const k = (await sql<any>`${CAMPAIGN_SQL(tenantId)} and k.id = ${p.campaign_id}`.execute(tx)).rows[0];
      if (!k) return null;
      return {
        campaign: toPublic(tenantId, k),
        participant: { id: p.id, name: p.name, token: p.token, codeQr: p.code_qr, codeState: p.code_state },
        ...(await figures(tx, tenantId, p.id)),
      };
    },
    { readOnly: true },
  );
}

async function figures(tx: Tx, tenantId: string, participantId: string) {
  const done = (
    await sql<{ n: number }>`select count(*)::int as n from fission_invites where tenant_id = ${tenantId}
      and participant_id = ${participantId} and status = 'counted'`.execute(tx)
  ).rows[0]!.n;
  const r = (
    await sql<any>`select status, reward_text, coupon_status, coupon_code, coupon_expires_at from fission_rewards
      where tenant_id = ${tenantId} and participant_id = ${participantId}`.execute(tx)
  ).rows[0];
  return {
    done,
    reward: r
      ? {
          status: r.status,
          text: r.reward_text,
          coupon: r.coupon_status
            ? {
                status: r.coupon_status,
                code: r.coupon_code,
                expiresAt: r.coupon_expires_at ? new Date(r.coupon_expires_at).toISOString() : null,
              }
            : null,
        }
      : null,
  };
}

/**
 * A customer joins from the campaign page: one participation per browser (cookie) and campaign;
 * they get a personal code — a WeCom contact way to one of the campaign's staff (in turn) whose
 * state names the participant — created through the wecom module before the row is written.
 */
export async function join(
  database: Database,
  c: PublicCampaign,
  visitor: string,
  name: string,
): Promise<{ token: string }> {
  const prep = await inTenant(database.db, c.tenantId, async (tx) => {
    const mine = (
      await sql<{ token: string }>`select token from fission_participants where tenant_id = ${c.tenantId}
        and campaign_id = ${c.id} and visitor = ${visitor}`.execute(tx)
    ).rows[0];
    if (mine) return { kind: 'joined' as const, token: mine.token };
    const n = (
      await sql<{
        n: number;
      }>`select count(*)::int as n from fission_participants where tenant_id = ${c.tenantId}
        and campaign_id = ${c.id}`.execute(tx)
    ).rows[0]!.n;
    const corpUnit = (
      await sql<{
        unit_id: string;
      }>`select unit_id from wecom_corps where tenant_id = ${c.tenantId} and id = ${c.corpRef}`.execute(tx)
    ).rows[0];
    if (!corpUnit) return null;
    return {
      kind: 'new' as const,
      staff: c.staff[n % c.staff.length]!,
      maker: await codeMaker(
        tx,
        c.tenantId,
        c.createdBy ?? '00000000-0000-0000-0000-000000000000',
        corpUnit.unit_id,
      ),
    };
  });
  // The campaign's corp was unbound: there is nothing to add anymore.
  if (!prep) throw notFound('fission_campaign');
  if (prep.kind === 'joined') return { token: prep.token };
  const system = { tenantId: c.tenantId, actorId: null, actorKind: 'system' as const };
  // The task decides the code: a contact way to a staff member (state fx…), or a 群活码 over the
  // campaign's groups (state fg…) whose joins WeCom reports with that state.
  const state = newState(c.task === 'join_group' ? 'fg' : 'fx');
  const code =
    c.task === 'join_group'
      ? await createJoinCode(
          database,
          prep.maker,
          system,
          {
            corpRef: c.corpRef,
            name: `裂变·${name}`.slice(0, 30),
            state,
            chatIds: c.groupChatIds,
            autoCreateRoom: true,
          },
          'zh-CN',
        )
      : await createCode(
          database,
          prep.maker,
          system,
          {
            corpRef: c.corpRef,
            name: `裂变 · ${c.name} · ${name}`.slice(0, 100),
            state,
            channel: 'referral',
            staff: [prep.staff],
            skipVerify: true,
          },
          'zh-CN',
        );
  const joined = await inTenant(database.db, c.tenantId, async (tx) => {
    const token = newPublicToken(c.tenantId);
    const r = (
      await sql<{
        token: string;
      }>`insert into fission_participants (tenant_id, id, campaign_id, token, visitor, name,
          staff_userid, code_state, code_id, code_qr)
        values (${c.tenantId}, ${newId()}, ${c.id}, ${token}, ${visitor}, ${name}, ${prep.staff}, ${state}, ${code.id}, ${code.qrCode})
        on conflict (tenant_id, campaign_id, visitor) do update set name = fission_participants.name
        returning token`.execute(tx)
    ).rows[0]!;
    return { token: r.token };
  });
  // Their browser becomes a CDP identity (anonymous until they add a staff member): a coupon reward
  // is issued to that profile (reward-coupon.ts).
  await ingestFromConnector(database, c.tenantId, 'Kehu 裂变', [
    {
      type: 'identify',
      messageId: `fission-join-${c.id}-${visitor}`,
      anonymousId: participantAnonymousId(visitor),
      traits: { name, fissionCampaign: c.name },
    },
  ]);
  return joined;
}

/** Where the code goes: the poster material's slot, the materials default, or the plain poster's white box. */
const MATERIAL_SLOT = { x: 0.7, y: 0.78, size: 0.22 };
const PLAIN_SLOT = { x: 170 / 600, y: 494 / 900, size: 260 / 600 };

/**
 * The campaign's poster with the participant's personal code composited on (sharp, like materials'
 * posters), composed once per participant: kept under a content address (`posterKey`) — the poster
 * material and its version, the slot, the participant's code, the plain poster's texts. A changed
 * campaign poster (another material, a new image or slot) gives a new address: composed anew.
 */
export async function participantPoster(
  database: Database,
  g: Progress,
): Promise<{ png: Buffer; key: string }> {
  const { tenantId } = g.campaign;
  const src = await inTenant(
    database.db,
    tenantId,
    async (tx) => {
      const m = g.campaign.posterMaterialId
        ? (
            await sql<{
              qr_slot: any;
              updated_at: Date;
              file_size: number | null;
            }>`select qr_slot, updated_at, file_size
              from materials where tenant_id = ${tenantId} and id = ${g.campaign.posterMaterialId}
              and deleted_at is null`.execute(tx)
          ).rows[0]
        : undefined;
      const key = posterKey(
        g,
        m ? { version: new Date(m.updated_at).toISOString(), slot: m.qr_slot, size: m.file_size } : null,
      );
      const hit = (
        await sql<{ png: Buffer }>`select png from fission_posters where tenant_id = ${tenantId}
          and participant_id = ${g.participant.id} and key = ${key}`.execute(tx)
      ).rows[0];
      return { key, hit: hit ? Buffer.from(hit.png) : null, hasMaterial: !!m?.file_size, slot: m?.qr_slot };
    },
    { readOnly: true },
  );
  if (src.hit) return { png: src.hit, key: src.key };
  const png = await composeParticipantPoster(database, g, src.hasMaterial, src.slot);
  await inTenant(database.db, tenantId, (tx) =>
    sql`insert into fission_posters (tenant_id, participant_id, key, png)
      values (${tenantId}, ${g.participant.id}, ${src.key}, ${png})
      on conflict (tenant_id, participant_id) do update set key = excluded.key, png = excluded.png,
        created_at = now()`.execute(tx),
  );
  return { png, key: src.key };
}

/** The content address of a participant's poster: a hash of everything that goes into it. */
export function posterKey(
  g: Progress,
  material: { version: string; slot: unknown; size: number | null } | null,
): string {
  const parts = material?.size
    ? ['m', g.campaign.posterMaterialId, material.version, JSON.stringify(material.slot ?? MATERIAL_SLOT)]
    : ['plain', g.campaign.name, g.campaign.rewardText];
  const code = g.participant.codeQr ?? progressUrl(g.participant.token);
  return createHash('sha256')
    .update(JSON.stringify([POSTER_LAYOUT, ...parts, code, g.participant.codeState]))
    .digest('base64url');
}

/** Bump when the composition itself changes (every cached poster is then composed again). */
const POSTER_LAYOUT = 1;

async function composeParticipantPoster(
  database: Database,
  g: Progress,
  hasMaterial: boolean,
  materialSlot: any,
): Promise<Buffer> {
  const { tenantId } = g.campaign;
  const bytes =
    hasMaterial && g.campaign.posterMaterialId
      ? await inTenant(database.db, tenantId, (tx) => fileBytes(tx, tenantId, g.campaign.posterMaterialId!), {
          readOnly: true,
        })
      : null;
  const image = bytes ?? (await plainPoster(g.campaign.name, g.campaign.rewardText));
  const slot = bytes ? (materialSlot ?? MATERIAL_SLOT) : PLAIN_SLOT;
  const meta = await sharp(image).metadata();
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  const size = Math.max(48, Math.min(Math.round(slot.size * Math.min(w, h)), w, h));
  const left = Math.max(0, Math.min(Math.round(slot.x * w), w - size));
  const top = Math.max(0, Math.min(Math.round(slot.y * h), h - size));
  const qr = g.participant.codeQr
    ? (await fetchQrImage(g.participant.codeQr, g.participant.codeState, 'zh-CN')).body
    : await QRCode.toBuffer(progressUrl(g.participant.token), { width: size, margin: 1 });
  const tile = await sharp(qr, { density: 300 })
    .resize(size, size, { fit: 'contain', background: '#ffffff' })
    .png()
    .toBuffer();
  return sharp(image)
    .composite([{ input: tile, left, top }])
    .png()
    .toBuffer();
}

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Without a poster material: a plain poster with the campaign's name and reward. */
function plainPoster(name: string, reward: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="600" height="900">
<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#ff7a45"/><stop offset="1" stop-color="#f5222d"/></linearGradient></defs>
<rect width="600" height="900" fill="url(#g)"/>
<text x="300" y="170" font-size="44" font-weight="bold" fill="#fff" text-anchor="middle" font-family="Noto Sans CJK SC, sans-serif">${xml(name.slice(0, 14))}</text>
<text x="300" y="250" font-size="28" fill="#fff" text-anchor="middle" font-family="Noto Sans CJK SC, sans-serif">邀请好友 赢 ${xml(reward.slice(0, 16))}</text>
<rect x="160" y="484" width="280" height="280" rx="16" fill="#fff"/>
<text x="300" y="830" font-size="24" fill="#fff" text-anchor="middle" font-family="Noto Sans CJK SC, sans-serif">扫码添加顾问 · 助力好友</text>
</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

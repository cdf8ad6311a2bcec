import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { staffPoster, staffShareUrl } from '../materials/index.ts';
import { WeComApiError, type WeComClient } from './connector/client.ts';
import type { CorpRuntime } from './corps.service.ts';
import {
  type AttachmentMaterial,
  cachedMedia,
  mediaFor,
  pickAttachmentMaterials,
  uploadMedia,
  type WelcomeAttachment,
} from './welcome.service.ts';

/**
 * 企业群发 attachments from the material library (add_msg_template, at most 9), WeCom-faithful per
 * kind and per sending staff member:
 * - poster → `image`: the poster composited with the sending staff member's own QR (materials'
 *   staffPoster, cached per poster version and staff), uploaded once per (corp, staff, poster version)
 *   and kept for the media id's 3 days — so every staff task carries its own media id;
 * - PDF → `file` (the material's bytes, one media id for all staff);
 * - mini-program → `miniprogram` card, its cover uploaded as an image;
 * - article / link / video → `link` card to the sending staff member's tracked link (one content per
 *   staff task, as WeCom sends the same template to all of that staff member's customers).
 * A snapshot is kept on the message at planning, picked as the planner (what they may see).
 */
export type MassMaterial = AttachmentMaterial;

export function pickMassMaterials(
  tx: Tx,
  p: Principal,
  ids: string[],
  locale: Locale,
  fieldName = 'materials',
): Promise<MassMaterial[]> {
  return pickAttachmentMaterials(tx, p, ids, locale, fieldName, true);
}

/** Who sends a staff task: their WeCom userid and the Kehu user their poster QR and links are. */
export interface MassSender {
  userid: string;
  staffId: string;
}

async function staffPosterMedia(
  database: Database,
  corp: CorpRuntime,
  client: WeComClient,
  a: MassMaterial,
  s: MassSender,
  fresh: boolean,
): Promise<string> {
  // Cached per staff member and poster version: a changed poster is composed and uploaded anew.
  const m = await inTenant(database.db, corp.tenantId, (tx) => posterOf(tx, corp.tenantId, a.materialId), {
    readOnly: true,
  });
  if (!m) throw new WeComApiError('media/upload', 40007, 'poster is gone');
  const part = `poster:${s.userid}:${m.updatedAt}`;
  if (!fresh) {
    const hit = await cachedMedia(database, corp, a.materialId, part);
    if (hit) return hit;
  }
  const png = await inTenant(database.db, corp.tenantId, (tx) =>
    staffPoster(tx, corp.tenantId, m, s.staffId),
  );
  if (!png) throw new WeComApiError('media/upload', 40007, 'poster has no image');
  return uploadMedia(database, corp, client, {
    materialId: a.materialId,
    part,
    type: 'image',
    name: `poster-${s.userid}.png`,
    mime: 'image/png',
    bytes: png,
  });
}

async function posterOf(tx: Tx, tenantId: string, id: string) {
  const r = (
    await sql<{ id: string; qr_slot: any; updated_at: Date }>`select id, qr_slot, updated_at from materials
      where tenant_id = ${tenantId} and id = ${id}`.execute(tx)
  ).rows[0];
  return r ? { id: r.id, qrSlot: r.qr_slot, updatedAt: new Date(r.updated_at).toISOString() } : null;
}

/** The WeCom attachments of one staff task. `fresh`: upload again (WeCom answered 40007). */
export async function massAttachments(
  database: Database,
  corp: CorpRuntime,
  client: WeComClient,
  list: MassMaterial[],
  sender: MassSender,
  fresh: boolean,
): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const a of list) {
    switch (a.kind) {
      case 'poster':
        out.push({
          msgtype: 'image',
          image: { media_id: await staffPosterMedia(database, corp, client, a, sender, fresh) },
        });
        break;
      case 'pdf':
        out.push({
          msgtype: 'file',
          file: { media_id: await mediaFor(database, corp, client, a as WelcomeAttachment, 'file', fresh) },
        });
        break;
      case 'miniprogram':
        out.push({
          msgtype: 'miniprogram',
          miniprogram: {
            title: a.title.slice(0, 64),
            pic_media_id: await mediaFor(database, corp, client, a as WelcomeAttachment, 'cover', fresh),
            appid: a.mini!.appid,
            page: a.mini!.pagepath,
          },
        });
        break;
      default: {
        const url = await inTenant(database.db, corp.tenantId, (tx) =>
          staffShareUrl(tx, corp.tenantId, a.materialId, sender.staffId),
        );
        out.push({
          msgtype: 'link',
          link: {
            title: a.title.slice(0, 128),
            url,
            ...(a.coverUrl?.startsWith('http') ? { picurl: a.coverUrl } : {}),
            ...(a.summary ? { desc: a.summary.slice(0, 512) } : {}),
          },
        });
      }
    }
  }
  return out;
}

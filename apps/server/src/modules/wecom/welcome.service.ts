import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { AppError, invalid } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { guardedFetch } from '../../core/net/outbound-url.ts';
import { fileBytes, getMaterial } from '../materials/index.ts';
import { WeComApiError, type WeComClient } from './connector/client.ts';
import type { CorpRuntime } from './corps.service.ts';
import { welcomeText } from './welcome.messages.ts';

/**
 * Welcome-message attachments (send_welcome_msg, up to 9): materials picked by the admin, kept on
 * the code as a snapshot of what the picker could see (a rule a user sets up sees only what that
 * user sees). Images and files go to WeCom with media/upload; the media id lives 3 days, so it is
 * cached per corp and material and uploaded again when it has expired — or when WeCom says so
 * (40007), once, still inside the WelcomeCode's 20 s.
 */
export interface WelcomeAttachment {
  materialId: string;
  kind: 'link' | 'video' | 'poster' | 'pdf' | 'miniprogram';
  title: string;
  summary: string | null;
  linkUrl: string | null;
  coverUrl: string | null;
  mini: { appid: string; pagepath: string } | null;
  fileName: string | null;
  fileMime: string | null;
  /** The material's version when picked (a staff poster's media is cached per version); older snapshots lack it. */
  updatedAt?: string;
}

export const MAX_WELCOME_ATTACHMENTS = 9;
/** media/upload limits (bytes) for the kinds Kehu uploads. */
export const MEDIA_LIMITS = { image: 10 * 1024 * 1024, file: 20 * 1024 * 1024 };
/** Use a cached media id only while it has this much life left (the send happens within 20 s). */
const MEDIA_MARGIN_MS = 60 * 60_000;
const MEDIA_TTL_MS = 3 * 86_400_000;

/** WeCom takes a welcome text of at most 4000 bytes (UTF-8): about 1333 Chinese characters. */
export function assertWelcomeText(text: string | null | undefined, locale: Locale) {
  if (text && Buffer.byteLength(text, 'utf8') > 4000)
    throw invalid([{ field: 'welcomeText', code: 'too_big', message: welcomeText(locale, 'text_too_long') }]);
}

/** A material as an attachment of a WeCom message: welcome attachments, or a 群发's (also articles). */
export type AttachmentMaterial = Omit<WelcomeAttachment, 'kind'> & {
  kind: WelcomeAttachment['kind'] | 'article';
};

/** The caller's materials as welcome-message attachments (no articles: WeCom's welcome takes none). */
export function pickWelcomeAttachments(
  tx: Tx,
  p: Principal,
  ids: string[],
  locale: Locale,
  fieldName = 'welcomeAttachments',
): Promise<WelcomeAttachment[]> {
  return pickAttachmentMaterials(tx, p, ids, locale, fieldName, false) as Promise<WelcomeAttachment[]>;
}

/**
 * The caller's materials as WeCom attachments (welcome messages, 群发), or field errors naming the
 * ones that cannot be sent: missing, unusable for their kind (an article only where `articles`),
 * over WeCom's media limits.
 */
export async function pickAttachmentMaterials(
  tx: Tx,
  p: Principal,
  ids: string[],
  locale: Locale,
  fieldName: string,
  articles: boolean,
): Promise<AttachmentMaterial[]> {
  const out: AttachmentMaterial[] = [];
  const errors: Array<{ field: string; code: string; message: string }> = [];
  for (const [i, id] of ids.entries()) {
    const field = `${fieldName}.${i}`;
    let m: Awaited<ReturnType<typeof getMaterial>>;
    try {
      m = await getMaterial(tx, p, id);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      errors.push({ field, code: 'lookup_missing', message: welcomeText(locale, 'material_missing') });
      continue;
    }
    const usable =
      (articles && m.kind === 'article') ||
      ((m.kind === 'link' || m.kind === 'video') && m.linkUrl) ||
      ((m.kind === 'poster' || m.kind === 'pdf') && m.file) ||
      (m.kind === 'miniprogram' && m.mini && m.coverUrl?.startsWith('http'));
    if (!usable) {
      errors.push({ field, code: 'welcome_kind', message: welcomeText(locale, 'material_unusable') });
      continue;
    }
    // WeCom's media limits: images JPG/PNG up to 10 MB, files up to 20 MB.
    const tooBig =
      (m.kind === 'poster' &&
        (m.file!.size > MEDIA_LIMITS.image || !/^image\/(png|jpe?g)$/.test(m.file!.mime))) ||
      (m.kind === 'pdf' && m.file!.size > MEDIA_LIMITS.file);
    if (tooBig) {
      errors.push({ field, code: 'wecom_media_size', message: welcomeText(locale, 'material_too_big') });
      continue;
    }
    out.push({
      materialId: m.id,
      kind: m.kind as AttachmentMaterial['kind'],
      title: m.title,
      summary: m.summary,
      linkUrl: m.linkUrl,
      coverUrl: m.coverUrl,
      mini: m.mini,
      fileName: m.file?.name ?? null,
      fileMime: m.file?.mime ?? null,
      updatedAt: m.updatedAt,
    });
  }
  if (errors.length) throw invalid(errors);
  return out;
}

type Part = 'file' | 'cover';

/** A cached media id with at least an hour of life left, or null. */
export async function cachedMedia(
  database: Database,
  corp: CorpRuntime,
  materialId: string,
  part: string,
): Promise<string | null> {
  const hit = await inTenant(
    database.db,
    corp.tenantId,
    async (tx) =>
      (
        await sql<{ media_id: string }>`select media_id from wecom_media where tenant_id = ${corp.tenantId}
          and corp_ref = ${corp.corpRef} and material_id = ${materialId} and part = ${part}
          and expires_at > ${new Date(Date.now() + MEDIA_MARGIN_MS)}`.execute(tx)
      ).rows[0],
    { readOnly: true },
  );
  return hit?.media_id ?? null;
}

/** media/upload of these bytes, the media id kept per (corp, material, part) for its 3 days. */
export async function uploadMedia(
  database: Database,
  corp: CorpRuntime,
  client: WeComClient,
  f: {
    materialId: string;
    part: string;
    type: 'image' | 'file';
    name: string;
    mime: string;
    bytes: Uint8Array;
  },
): Promise<string> {
  const res = await client.upload(f.type, f.name, f.bytes, f.mime);
  const created = Number(res.created_at) * 1000 || Date.now();
  await inTenant(database.db, corp.tenantId, (tx) =>
    sql`insert into wecom_media (tenant_id, corp_ref, material_id, part, media_id, expires_at)
      values (${corp.tenantId}, ${corp.corpRef}, ${f.materialId}, ${f.part}, ${String(res.media_id)}, ${new Date(created + MEDIA_TTL_MS)})
      on conflict (tenant_id, corp_ref, material_id, part) do update set media_id = excluded.media_id,
        expires_at = excluded.expires_at, created_at = now()`.execute(tx),
  );
  return String(res.media_id);
}

async function upload(
  database: Database,
  corp: CorpRuntime,
  client: WeComClient,
  a: WelcomeAttachment,
  part: Part,
): Promise<string> {
  let bytes: Uint8Array | null;
  let mime: string;
  if (part === 'file') {
    bytes = await inTenant(database.db, corp.tenantId, (tx) => fileBytes(tx, corp.tenantId, a.materialId), {
      readOnly: true,
    });
    mime = a.fileMime ?? 'application/octet-stream';
  } else {
    const res = await guardedFetch(a.coverUrl!, {}, { maxResponseBytes: 2 * 1024 * 1024, timeoutMs: 5_000 });
    mime = String(res.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim();
    bytes = res.status === 200 && /^image\//.test(mime) ? res.body : null;
  }
  if (!bytes) throw new WeComApiError('media/upload', 40007, 'material has no file');
  const type = part === 'cover' || mime.startsWith('image/') ? 'image' : 'file';
  const name = a.fileName ?? `${a.materialId}.${mime.split('/')[1] ?? 'bin'}`;
  return uploadMedia(database, corp, client, { materialId: a.materialId, part, type, name, mime, bytes });
}

/** The material's file or cover as a media id: cached unless `fresh` (WeCom said 40007). */
export async function mediaFor(
  database: Database,
  corp: CorpRuntime,
  client: WeComClient,
  a: WelcomeAttachment,
  part: Part,
  fresh: boolean,
): Promise<string> {
  if (!fresh) {
    const hit = await cachedMedia(database, corp, a.materialId, part);
    if (hit) return hit;
  }
  return upload(database, corp, client, a, part);
}

/** WeCom's attachment shapes for send_welcome_msg. */
async function toWecom(
  database: Database,
  corp: CorpRuntime,
  client: WeComClient,
  a: WelcomeAttachment,
  fresh: boolean,
) {
  switch (a.kind) {
    case 'link':
    case 'video':
      return {
        msgtype: 'link',
        link: {
          title: a.title.slice(0, 128),
          url: a.linkUrl!,
          ...(a.coverUrl?.startsWith('http') ? { picurl: a.coverUrl } : {}),
          ...(a.summary ? { desc: a.summary.slice(0, 512) } : {}),
        },
      };
    case 'poster':
      return {
        msgtype: 'image',
        image: { media_id: await mediaFor(database, corp, client, a, 'file', fresh) },
      };
    case 'pdf':
      return {
        msgtype: 'file',
        file: { media_id: await mediaFor(database, corp, client, a, 'file', fresh) },
      };
    case 'miniprogram':
      return {
        msgtype: 'miniprogram',
        miniprogram: {
          title: a.title.slice(0, 64),
          pic_media_id: await mediaFor(database, corp, client, a, 'cover', fresh),
          appid: a.mini!.appid,
          page: a.mini!.pagepath,
        },
      };
  }
}

/**
 * send_welcome_msg with the text and attachments. A media id WeCom no longer knows (40007) is
 * uploaded again and the message sent once more; other refusals go to the caller.
 */
export async function sendWelcome(
  database: Database,
  corp: CorpRuntime,
  client: WeComClient,
  welcomeCode: string,
  text: string | null,
  attachments: WelcomeAttachment[],
) {
  for (let attempt = 0; ; attempt++) {
    const fresh = attempt > 0;
    const built = [];
    for (const a of attachments.slice(0, MAX_WELCOME_ATTACHMENTS))
      built.push(await toWecom(database, corp, client, a, fresh));
    try {
      return await client.post('externalcontact/send_welcome_msg', {
        welcome_code: welcomeCode,
        ...(text ? { text: { content: text } } : {}),
        ...(built.length ? { attachments: built } : {}),
      });
    } catch (err) {
      if (attempt === 0 && err instanceof WeComApiError && err.errcode === 40007) continue;
      throw err;
    }
  }
}

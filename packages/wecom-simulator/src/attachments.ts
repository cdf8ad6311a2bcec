// The attachments WeCom takes on send_welcome_msg and add_msg_template (at most 9): image / video /
// file by the media_id of a live upload of this corp (3 days; an unknown or expired one is 40007),
// of the matching upload type (an image attachment with a file upload is 40004), a link with title and
// url, a mini-program card with its cover uploaded as an image. text.content is at most 4000 bytes.
import { E, WeComError } from './errors.ts';
import type { SimCorpState } from './model.ts';

const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export const MAX_ATTACHMENTS = 9;

export function checkMessage(corp: SimCorpState, text: unknown, attachments: unknown): any[] {
  const list: any[] = Array.isArray(attachments) ? attachments : [];
  if (!str(text) && list.length === 0) throw E.invalidParam('text or attachments required');
  if (str(text) && bytes(text) > 4000) throw E.invalidParam('text.content exceeds 4000 bytes');
  if (list.length > MAX_ATTACHMENTS) throw E.invalidParam('at most 9 attachments');
  for (const a of list) {
    const kind = String(a?.msgtype ?? '');
    const p = a?.[kind];
    if (kind === 'link') {
      if (!str(p?.title) || !str(p?.url)) throw E.invalidParam('link needs title and url');
      if (bytes(p.title) > 128 * 3 || (str(p.desc) && bytes(p.desc) > 512 * 3))
        throw E.invalidParam('link title/desc too long');
      continue;
    }
    if (kind === 'miniprogram') {
      if (!str(p?.title) || !str(p?.appid) || !str(p?.page))
        throw E.invalidParam('miniprogram needs title, appid, page');
      if ([...p.title].length > 64) throw E.invalidParam('miniprogram title ≤ 64 characters');
      liveMedia(corp, p.pic_media_id, 'image');
      continue;
    }
    if (kind === 'image') {
      // An image may come as a media_id or (add_msg_template only) a pic_url WeCom fetches itself.
      if (str(p?.pic_url) && !p?.media_id) continue;
      liveMedia(corp, p?.media_id, 'image');
      continue;
    }
    if (kind === 'video' || kind === 'file') {
      liveMedia(corp, p?.media_id, kind);
      continue;
    }
    throw E.invalidParam(`unknown msgtype ${kind}`);
  }
  return list;
}

function liveMedia(corp: SimCorpState, id: unknown, type: string) {
  const m = str(id) ? corp.media.get(id) : undefined;
  if (!m || corp.now() > m.expiresAt) throw E.invalidMedia();
  if (m.type !== type) throw new WeComError(40004, `invalid media type, want ${type}`);
}

// 会话内容存档 (chat archive). WeCom hands message content only to its Finance SDK, a C library
// (libWeWorkFinanceSdk_C.so) that a deployment runs in a sidecar process; Kehu talks to that sidecar
// over HTTP (contract: docs/modules/chat-archive-sidecar.md). The simulator plays both WeCom's side
// (msgaudit/* APIs, consent per customer, archived messages with the RSA-encrypted per-message key)
// and the sidecar's (GetChatData and DecryptData as JSON over HTTP), so Kehu's real adapter runs
// against it unchanged.
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  publicEncrypt,
  randomBytes,
} from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Handler } from './api-contacts.ts';
import { E, WeComError } from './errors.ts';
import type { ChatMessage, SimCorpState } from './model.ts';

/** What the corp's admin set in 管理工具 → 会话内容存档: the secret and the public keys by version. */
export interface ArchiveSetup {
  secret: string;
  /** RSA public key (PEM) the corp uploaded; messages are keyed for the newest version. */
  publicKeyPem: string;
  publicKeyVersion: number;
}

interface Archived {
  seq: number;
  msgid: string;
  publickey_ver: number;
  encrypt_random_key: string;
  encrypt_chat_msg: string;
}

interface ArchiveState {
  setup: ArchiveSetup;
  /** Consent by `userid|external_userid`: when WeCom must ask the customer, only "Agree" pairs are archived. */
  agreements: Map<string, { agree: boolean; at: number }>;
  requireConsent: boolean;
  seen: WeakSet<ChatMessage>;
  log: Archived[];
}

const states = new WeakMap<SimCorpState, ArchiveState>();

/** Finance SDK error codes (the SDK's documented 10000–10011). */
export const SDK = {
  param: 10000,
  network: 10001,
  parse: 10002,
  system: 10003,
  keyError: 10004,
  decrypt: 10006,
  noKeyVersion: 10007,
  encryptKey: 10008,
  ip: 10009,
  expired: 10010,
  cert: 10011,
} as const;

export function setupArchive(
  corp: SimCorpState,
  setup: ArchiveSetup,
  opts: { requireConsent?: boolean } = {},
) {
  const prev = states.get(corp);
  states.set(corp, {
    setup,
    agreements: prev?.agreements ?? new Map(),
    requireConsent: opts.requireConsent ?? prev?.requireConsent ?? true,
    seen: prev?.seen ?? new WeakSet(),
    log: prev?.log ?? [],
  });
}

export function archiveOf(corp: SimCorpState): ArchiveState | undefined {
  return states.get(corp);
}

/** The customer taps 同意/拒绝 on WeCom's archive notice in a chat with `userid`. */
export function setAgreement(corp: SimCorpState, userid: string, external_userid: string, agree: boolean) {
  const a = states.get(corp);
  if (!a) throw new Error('chat archive is not set up for this corp');
  a.agreements.set(`${userid}|${external_userid}`, { agree, at: corp.ctx.clock.now() });
}

function agreed(a: ArchiveState, userid: string, external: string, at: number): boolean {
  if (!a.requireConsent) return true;
  const rec = a.agreements.get(`${userid}|${external}`);
  return rec?.agree === true && at >= rec.at;
}

/** The message as the SDK's DecryptData returns it (text, link and image; others read as text). */
function sdkMessage(msgid: string, userid: string, external: string, m: ChatMessage) {
  const fromStaff = m.from === 'staff';
  const base = {
    msgid,
    action: 'send',
    from: fromStaff ? userid : external,
    tolist: [fromStaff ? external : userid],
    roomid: '',
    msgtime: m.at,
  };
  const p = (m.payload ?? {}) as Record<string, unknown>;
  if (m.kind === 'link' || m.kind === 'news')
    return {
      ...base,
      msgtype: 'link',
      link: {
        title: String(p.title ?? m.text ?? ''),
        description: String(p.desc ?? p.description ?? ''),
        link_url: String(p.link ?? p.url ?? ''),
        image_url: String(p.imgUrl ?? p.picurl ?? ''),
      },
    };
  if (m.kind === 'image')
    return { ...base, msgtype: 'image', image: { md5sum: '', filesize: 0, sdkfileid: msgid } };
  return { ...base, msgtype: 'text', text: { content: m.text ?? '' } };
}

/** The proprietary part of the SDK, as the simulator does it: AES-256-CBC keyed by the random key. */
function sealMessage(randomKey: string, json: string): string {
  const key = createHash('sha256').update(randomKey).digest();
  const iv = key.subarray(0, 16);
  const c = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([c.update(json, 'utf8'), c.final()]).toString('base64');
}

function openMessage(randomKey: string, sealed: string): string {
  const key = createHash('sha256').update(randomKey).digest();
  const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  return Buffer.concat([d.update(Buffer.from(sealed, 'base64')), d.final()]).toString('utf8');
}

/** Archives every chat message not yet archived, oldest first, for pairs that may be archived. */
function collect(corp: SimCorpState, a: ArchiveState): void {
  const fresh: Array<{ userid: string; external: string; m: ChatMessage }> = [];
  for (const [key, msgs] of corp.chats) {
    const [userid, external] = key.split('|') as [string, string];
    for (const m of msgs) {
      if (a.seen.has(m)) continue;
      a.seen.add(m);
      if (m.from === 'system') continue;
      // A message sent before the customer agreed is never archived (WeCom starts archiving at consent).
      if (!agreed(a, userid, external, m.at)) continue;
      fresh.push({ userid, external, m });
    }
  }
  fresh.sort((x, y) => x.m.at - y.m.at);
  for (const f of fresh) {
    const msgid = `${corp.ctx.id('', 19, '0123456789')}_${f.m.at}_external`;
    const randomKey = randomBytes(16).toString('hex');
    a.log.push({
      seq: a.log.length + 1,
      msgid,
      publickey_ver: a.setup.publicKeyVersion,
      encrypt_random_key: publicEncrypt(
        { key: a.setup.publicKeyPem, padding: constants.RSA_PKCS1_PADDING },
        Buffer.from(randomKey),
      ).toString('base64'),
      encrypt_chat_msg: sealMessage(randomKey, JSON.stringify(sdkMessage(msgid, f.userid, f.external, f.m))),
    });
  }
}

/** WeCom's msgaudit APIs, called with the 会话内容存档 secret's access token. */
export const archiveHandlers: Record<string, Handler> = {
  'msgaudit/get_permit_user_list': ({ corp, kind }) => {
    if (kind !== 'archive') throw E.forbidden('api forbidden: use the chat archive secret');
    if (!archiveOf(corp)) throw new WeComError(301052, 'chat archive is not enabled');
    return { ids: [...corp.staff.values()].filter((s) => s.status === 1).map((s) => s.userid) };
  },
  'msgaudit/check_single_agree': ({ corp, body, kind }) => {
    if (kind !== 'archive') throw E.forbidden('api forbidden: use the chat archive secret');
    const a = archiveOf(corp);
    if (!a) throw new WeComError(301052, 'chat archive is not enabled');
    const info = body?.info;
    if (!Array.isArray(info) || info.length === 0 || info.length > 100)
      throw E.invalidParam('info must list 1..100 pairs');
    return {
      agreeinfo: info.map((i: { userid?: unknown; exteranalopenid?: unknown }) => {
        // WeCom spells the field `exteranalopenid`; so do we.
        const userid = String(i.userid ?? '');
        const ext = String(i.exteranalopenid ?? '');
        const rec = a.agreements.get(`${userid}|${ext}`);
        return {
          status_change_time: rec ? Math.floor(rec.at / 1000) : 0,
          userid,
          exteranalopenid: ext,
          agree_status: !a.requireConsent || rec?.agree ? 'Agree' : 'Disagree',
        };
      }),
    };
  },
};

/** The sidecar's HTTP face: what Kehu's adapter calls (POST JSON, answers in the SDK's own JSON). */
export function registerArchiveSidecar(
  app: FastifyInstance,
  corps: () => Iterable<{ state: SimCorpState }>,
): void {
  const find = (corpid: unknown, secret: unknown) => {
    for (const c of corps()) {
      const a = archiveOf(c.state);
      if (c.state.corpId === corpid && a && a.setup.secret === secret) return { corp: c.state, a };
    }
    return undefined;
  };
  app.post('/_sidecar/v1/getchatdata', async (req) => {
    const b = parse(req.body);
    const found = find(b.corpid, b.secret);
    if (!found) return { errcode: SDK.keyError, errmsg: 'corpid or secret error' };
    const seq = Number(b.seq ?? 0);
    const limit = Number(b.limit ?? 1000);
    if (!Number.isInteger(seq) || seq < 0 || !Number.isInteger(limit) || limit < 1 || limit > 1000)
      return { errcode: SDK.param, errmsg: 'seq must be ≥ 0 and limit 1..1000' };
    collect(found.corp, found.a);
    const chatdata = found.a.log.filter((x) => x.seq > seq).slice(0, limit);
    return { errcode: 0, errmsg: 'ok', chatdata };
  });
  app.post('/_sidecar/v1/decryptdata', async (req) => {
    const b = parse(req.body);
    if (typeof b.encrypt_key !== 'string' || typeof b.encrypt_msg !== 'string')
      return { errcode: SDK.param, errmsg: 'encrypt_key and encrypt_msg are required' };
    try {
      return { errcode: 0, errmsg: 'ok', message: JSON.parse(openMessage(b.encrypt_key, b.encrypt_msg)) };
    } catch {
      return { errcode: SDK.decrypt, errmsg: 'decrypt failed' };
    }
  });
}

function parse(body: unknown): Record<string, unknown> {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body);
    } catch {
      return {};
    }
  }
  return (body ?? {}) as Record<string, unknown>;
}

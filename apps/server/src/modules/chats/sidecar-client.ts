import { guardedFetch } from '../../core/net/outbound-url.ts';

/**
 * The Finance SDK sidecar (docs/modules/chat-archive-sidecar.md). WeCom gives message content only
 * to its C SDK; a deployment runs it in a small process beside Kehu that answers JSON over HTTP.
 * The sidecar's address is tenant configuration, so every call goes through the outbound guard:
 * an operator lists the sidecar's host in KEHU_OUTBOUND_ALLOW.
 */
export interface ChatDatum {
  seq: number;
  msgid: string;
  publickey_ver: number;
  encrypt_random_key: string;
  encrypt_chat_msg: string;
}

export class SidecarError extends Error {
  readonly errcode: number;
  constructor(call: string, errcode: number, errmsg: string) {
    super(`chat archive sidecar ${call}: ${errcode} ${String(errmsg).slice(0, 200)}`);
    this.name = 'SidecarError';
    this.errcode = errcode;
  }
}

async function post(base: string, call: string, body: unknown): Promise<any> {
  const url = new URL(`v1/${call}`, base.endsWith('/') ? base : `${base}/`);
  const res = await guardedFetch(
    url,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    { maxRedirects: 0, timeoutMs: 30_000, maxResponseBytes: 64 * 1024 * 1024 },
  );
  if (res.status !== 200) throw new SidecarError(call, -res.status, `http ${res.status}`);
  let out: any;
  try {
    out = JSON.parse(res.body.toString('utf8'));
  } catch {
    throw new SidecarError(call, -1, 'not json');
  }
  if (Number(out.errcode ?? 0) !== 0) throw new SidecarError(call, Number(out.errcode), out.errmsg ?? '');
  return out;
}

/** GetChatData: up to `limit` (≤ 1000) archived messages after `seq`. */
export async function getChatData(
  base: string,
  corp: { corpId: string; secret: string },
  seq: number,
  limit = 1000,
): Promise<ChatDatum[]> {
  const out = await post(base, 'getchatdata', {
    corpid: corp.corpId,
    secret: corp.secret,
    seq,
    limit,
    timeout: 10,
  });
  return Array.isArray(out.chatdata) ? out.chatdata : [];
}

/** DecryptData: the message, given the per-message key Kehu opened with its private key. */
export async function decryptData(
  base: string,
  randomKey: string,
  encryptMsg: string,
): Promise<Record<string, any>> {
  const out = await post(base, 'decryptdata', { encrypt_key: randomKey, encrypt_msg: encryptMsg });
  return out.message ?? {};
}

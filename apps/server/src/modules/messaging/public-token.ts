import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { secretsKey } from '../../core/crypto/secret-box.ts';

/**
 * Public tokens of messaging (tracked links, open pixels, unsubscribe links, the bounce hook) start
 * with the tenant id (22 base64url characters), so the request opens that tenant's transaction
 * with RLS on before anything is looked up.
 */
export const tenantPrefix = (tenantId: string) =>
  Buffer.from(tenantId.replaceAll('-', ''), 'hex').toString('base64url');

const uuidOf = (b64: string): string | null => {
  const h = Buffer.from(b64, 'base64url').toString('hex');
  if (h.length !== 32) return null;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

export function tenantOfToken(token: string, restLength: number): string | null {
  if (token.length !== 22 + restLength || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  return uuidOf(token.slice(0, 22));
}

const key = (purpose: string) =>
  createHash('sha256').update(secretsKey()).update(`messaging:${purpose}`).digest();
const mac = (purpose: string, data: string) =>
  createHmac('sha256', key(purpose)).update(data).digest().subarray(0, 12).toString('base64url');

/**
 * A link's code is derived from the message and the link's position, so a delivery retried after
 * a crash rewrites to the same codes (and inserts nothing twice).
 */
export const linkCode = (messageId: string, n: number) => mac('link', `${messageId}:${n}`).slice(0, 11);

export type SignedKind = 'unsubscribe' | 'open';

/** tenant (22) + message id (22) + HMAC (16): a per-recipient link nobody can forge or enumerate. */
export function signedMessageToken(kind: SignedKind, tenantId: string, messageId: string): string {
  const t = tenantPrefix(tenantId);
  const m = tenantPrefix(messageId);
  return `${t}${m}${mac(kind, `${t}${m}`)}`;
}

export function openSignedMessageToken(
  kind: SignedKind,
  token: string,
): { tenantId: string; messageId: string } | null {
  if (token.length !== 60 || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const want = Buffer.from(mac(kind, token.slice(0, 44)));
  const got = Buffer.from(token.slice(44));
  if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
  const tenantId = uuidOf(token.slice(0, 22));
  const messageId = uuidOf(token.slice(22, 44));
  return tenantId && messageId ? { tenantId, messageId } : null;
}

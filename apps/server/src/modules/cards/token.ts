import { randomBytes } from 'node:crypto';

/**
 * A public token is the tenant id (16 bytes) and 16 random bytes, base64url (44 characters): the
 * tenant part opens the right tenant's transaction for a page nobody signs in to (RLS stays on),
 * the random part (128 bits) makes the address unguessable. Same shape as material links.
 */
export function newPublicToken(tenantId: string): string {
  return (
    Buffer.from(tenantId.replaceAll('-', ''), 'hex').toString('base64url') +
    randomBytes(16).toString('base64url')
  );
}

export function tenantOfPublicToken(token: string): string | null {
  if (!/^[A-Za-z0-9_-]{44}$/.test(token)) return null;
  const h = Buffer.from(token.slice(0, 22), 'base64url').toString('hex');
  if (h.length !== 32) return null;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A WeCom contact-way state (≤ 30 characters, URL-safe): a prefix and 12 random characters. */
export const newState = (prefix: string) =>
  `${prefix}${randomBytes(9)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, 'x')}`;

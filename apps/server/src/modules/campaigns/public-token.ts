import { randomBytes } from 'node:crypto';

/**
 * Public tokens carry their tenant (22 base64url characters of its uuid) and 16 random bytes:
 * the public page finds the tenant without a cross-tenant lookup, and the random half is
 * what makes a page unguessable.
 */
const tenantPart = (tenantId: string) => Buffer.from(tenantId.replace(/-/g, ''), 'hex').toString('base64url');

export const newPublicToken = (tenantId: string) =>
  tenantPart(tenantId) + randomBytes(16).toString('base64url');

/** A short link: the tenant and 6 random characters (the link's code). */
export const shortLinkToken = (tenantId: string, code: string) => tenantPart(tenantId) + code;
export const newLinkCode = () => randomBytes(6).toString('base64url').slice(0, 6);
export const newTicket = () => randomBytes(12).toString('base64url');

export function tenantOfToken(token: string, rest: number): string | null {
  if (token.length !== 22 + rest || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
  const h = Buffer.from(token.slice(0, 22), 'base64url').toString('hex');
  if (h.length !== 32) return null;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

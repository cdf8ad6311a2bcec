import { randomBytes } from 'node:crypto';

/**
 * A share token is the tenant id (16 bytes) and 24 random bytes, base64url: 54 characters. The
 * tenant part lets the public page open the right tenant's transaction (RLS stays on, as for
 * lead forms); the random part (192 bits) is what makes the link unguessable.
 */
export function newShareToken(tenantId: string): string {
  return (
    Buffer.from(tenantId.replaceAll('-', ''), 'hex').toString('base64url') +
    randomBytes(24).toString('base64url')
  );
}

export function tenantOfShareToken(token: string): string | null {
  if (!/^[A-Za-z0-9_-]{54}$/.test(token)) return null;
  const h = Buffer.from(token.slice(0, 22), 'base64url').toString('hex');
  if (h.length !== 32) return null;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

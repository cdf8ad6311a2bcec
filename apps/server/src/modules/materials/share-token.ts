import { randomBytes } from 'node:crypto';

/**
 * A share token is the tenant id (16 bytes) and 16 random bytes, base64url: 44 characters. The
 * tenant part opens the right tenant's transaction for the public reader (RLS stays on, as for
 * quote links); the random part (128 bits) makes the link unguessable.
 */
export function newShareToken(tenantId: string): string {
  return (
    Buffer.from(tenantId.replaceAll('-', ''), 'hex').toString('base64url') +
    randomBytes(16).toString('base64url')
  );
}

export function tenantOfShareToken(token: string): string | null {
  if (!/^[A-Za-z0-9_-]{44}$/.test(token)) return null;
  const h = Buffer.from(token.slice(0, 22), 'base64url').toString('hex');
  if (h.length !== 32) return null;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

import { randomBytes } from 'node:crypto';

/**
 * A store code's public key: the tenant id (16 bytes) and 16 random bytes, base64url (44
 * characters). The tenant part opens the right tenant's transaction for the public landing page
 * with RLS on; the random part (128 bits) makes the page unguessable.
 */
export function newStoreKey(tenantId: string): string {
  return (
    Buffer.from(tenantId.replaceAll('-', ''), 'hex').toString('base64url') +
    randomBytes(16).toString('base64url')
  );
}

export function tenantOfStoreKey(key: string): string | null {
  if (!/^[A-Za-z0-9_-]{44}$/.test(key)) return null;
  const h = Buffer.from(key.slice(0, 22), 'base64url').toString('hex');
  if (h.length !== 32) return null;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

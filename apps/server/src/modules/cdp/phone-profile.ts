import type { Tx } from '../../core/db/tenant-scope.ts';
import { loadIdentityRules, resolveIdentities } from './identity.service.ts';
import { normalizeIdentity } from './identity.ts';
import { lockTenantCdp } from './process.job.ts';

/**
 * The profile a verified phone number belongs to, made now when nobody has it yet (member card
 * sign-in, issue 13: the customer proved the number with an SMS code). Null for a number that is
 * not a valid phone. Resolves under the tenant's CDP lock like every other resolution.
 */
export async function profileForPhone(
  tx: Tx,
  tenantId: string,
  phone: string,
  source: string,
): Promise<{ profileId: string; phone: string } | null> {
  const id = normalizeIdentity('phone', phone);
  if (!id) return null;
  await lockTenantCdp(tx, tenantId);
  const res = await resolveIdentities(tx, tenantId, await loadIdentityRules(tx, tenantId), [id], {
    reason: source,
    source: null,
  });
  return res.profileId ? { profileId: res.profileId, phone: id.value } : null;
}

/** A phone as the CDP keys it (E.164), or null when it is not a valid number. */
export const normalizePhone = (phone: string): string | null =>
  normalizeIdentity('phone', phone)?.value ?? null;

import type { Principal } from '../../../core/auth/principal.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';

/**
 * The `ticket-customer-tier` extension point: SLA targets per member tier (R8.1) without service
 * knowing how membership works. A module that knows tiers (loyalty) contributes a source; service
 * asks it, inside the filing transaction, for the tier of the ticket's person, and lists its
 * tiers on the SLA policy form. Without a source every ticket runs on the tierless policies.
 *
 * A tier key is opaque to service (loyalty uses the tier's id, so a renamed tier keeps its
 * policies); it is what `service_sla_policies.tier` and `service_tickets.tier` hold.
 */
export interface CustomerTierSource {
  /** The current tier of the person (a One ID profile, merges followed), or null when not a member. */
  tierOf(tx: Tx, tenantId: string, profileId: string): Promise<string | null>;
  /** The tiers a policy can target, best first within a program: those of programs the reader may see. */
  tiers(
    tx: Tx,
    principal: Principal,
  ): Promise<{ key: string; name: string; program: string; rank: number }[]>;
}

let source: CustomerTierSource | null = null;

export function registerCustomerTierSource(value: unknown): void {
  const v = value as CustomerTierSource;
  if (typeof v?.tierOf !== 'function' || typeof v.tiers !== 'function')
    throw new Error('ticket-customer-tier: { tierOf, tiers } expected');
  source = v;
}

export const customerTierSource = (): CustomerTierSource | null => source;

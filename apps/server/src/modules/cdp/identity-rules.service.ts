import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';

/** One ID rules per identity kind (max per profile, priority, blocked values). */

export async function getIdentityRules(tx: Tx, tenantId: string) {
  const { loadIdentityRules } = await import('./identity.service.ts');
  const m = await loadIdentityRules(tx, tenantId);
  return { items: [...m.values()].sort((a, b) => b.priority - a.priority) };
}

export async function putIdentityRule(
  tx: Tx,
  actor: Actor,
  kind: string,
  r: { maxPerProfile: number; priority: number; blocked: string[] },
) {
  await sql`insert into cdp_identity_rules (tenant_id, kind, max_per_profile, priority, blocked)
    values (${actor.tenantId}, ${kind}, ${r.maxPerProfile}, ${r.priority}, ${r.blocked})
    on conflict (tenant_id, kind) do update set max_per_profile = excluded.max_per_profile, priority = excluded.priority, blocked = excluded.blocked`.execute(
    tx,
  );
  await writeAudit(tx, actor, { action: 'update', object: 'cdp_identity_rule', meta: { kind, ...r } });
}

import { sql } from 'kysely';
import type { DomainEvent } from '../../core/events/outbox.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import type { Subscriber } from '../../engine/module.ts';
import { evaluateProfiles } from './evaluation.service.ts';
import { loadIdentityRules, resolveIdentities } from './identity.service.ts';
import { normalizeIdentity } from './identity.ts';
import { lockTenantCdp } from './process.job.ts';

const TABLES = { contact: 'contacts', customer: 'customers' } as const;
const IDENTITY_FIELDS = new Set(['phone', 'email', 'name', 'kind']);

/**
 * CRM contacts and person customers are people: their phone and email resolve to a profile
 * (merging with what events already know) and the record links to it (One ID, R1.2).
 *
 * This runs after commit, from the records' domain events, not inside the CRM write: identity
 * resolution takes the tenant's CDP lock, and inside the write it serialised every customer
 * write of a tenant behind it (imports fell to ~300 rows/s). A durable subscriber links within
 * the dispatcher's latency and retries on failure.
 */
export const crmLinkSubscribers: Subscriber[] = (['contact', 'customer'] as const).map((object) => ({
  name: `cdp-crm-link-${object}`,
  pattern: `${object}.*`,
  handle: async (e: DomainEvent, job: JobContext) => {
    const ids = recordIds(e);
    if (!ids.length) return;
    await job.tx((tx) => linkRecords(tx, e.tenantId, object, ids));
  },
}));

function recordIds(e: DomainEvent): string[] {
  const kind = e.type.slice(e.type.indexOf('.') + 1);
  const p = e.payload as { id?: string; ids?: string[]; fields?: string[] };
  if (kind === 'bulk_created') return p.ids ?? [];
  if (kind === 'created' || kind === 'restored') return p.id ? [p.id] : [];
  if (kind === 'updated' && p.id && (p.fields ?? []).some((f) => IDENTITY_FIELDS.has(f))) return [p.id];
  return [];
}

async function linkRecords(
  tx: Parameters<typeof lockTenantCdp>[0],
  tenantId: string,
  object: 'contact' | 'customer',
  ids: string[],
) {
  const kindCol = object === 'customer' ? sql`kind` : sql`'person'`;
  const rows = (
    await sql<{ id: string; name: string | null; phone: string | null; email: string | null; kind: string }>`
      select id, name, phone, email, ${kindCol} as kind from ${sql.table(TABLES[object])}
      where tenant_id = ${tenantId} and id = any(${ids}::uuid[]) and deleted_at is null`.execute(tx)
  ).rows;
  const people = rows
    .filter((r) => r.kind === 'person')
    .map((r) => ({
      r,
      identities: [normalizeIdentity('phone', r.phone), normalizeIdentity('email', r.email)].filter(
        (x) => x !== null,
      ),
    }))
    .filter((x) => x.identities.length > 0);
  if (!people.length) return;
  await lockTenantCdp(tx, tenantId);
  const rules = await loadIdentityRules(tx, tenantId);
  const touched: string[] = [];
  for (const { r, identities } of people) {
    const res = await resolveIdentities(tx, tenantId, rules, identities, {
      reason: `crm:${object}`,
      source: null,
    });
    if (!res.profileId) continue;
    await sql`insert into cdp_profile_links (tenant_id, object, record_id, profile_id) values (${tenantId}, ${object}, ${r.id}, ${res.profileId})
      on conflict (tenant_id, object, record_id) do update set profile_id = excluded.profile_id, linked_at = now()`.execute(
      tx,
    );
    if (r.name)
      await sql`update cdp_profiles set traits = jsonb_build_object('name', ${r.name}::text) || traits
        where tenant_id = ${tenantId} and id = ${res.profileId}`.execute(tx);
    touched.push(res.profileId);
  }
  if (touched.length) await evaluateProfiles(tx, tenantId, touched, new Date());
}

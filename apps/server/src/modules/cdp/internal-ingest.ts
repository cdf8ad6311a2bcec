import { sql } from 'kysely';
import { randomToken, sha256 } from '../../core/auth/tokens.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { ownerOf } from './identity.service.ts';
import { type Accepted, storeEvents, validateMessage } from './ingest.ts';

/**
 * Segment-style messages from Kehu's own connectors (WeCom …), stored exactly like `/v1/batch`
 * (messageId dedupe, identity resolution and rules in `cdp:process`) under a source per
 * connector that the tenant sees in its source list. The source's write key is never shown:
 * the connector calls this in process. Call it outside any transaction (it opens its own).
 */
const sourceIds = new Map<string, string>();

async function connectorSource(database: Database, tenantId: string, name: string): Promise<string> {
  const k = `${tenantId}:${name}`;
  const hit = sourceIds.get(k);
  if (hit) return hit;
  const id = await inTenant(database.db, tenantId, async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`cdp-source:${k}`}))`.execute(tx);
    const r = (
      await sql<{
        id: string;
      }>`select id from cdp_sources where tenant_id = ${tenantId} and name = ${name} and kind = 'server'
        order by created_at limit 1`.execute(tx)
    ).rows[0];
    if (r) return r.id;
    const id = newId();
    const key = `wk_${randomToken(24)}`;
    await sql`insert into cdp_sources (tenant_id, id, name, kind, key_prefix, key_hash)
      values (${tenantId}, ${id}, ${name}, 'server', ${key.slice(0, 9)}, ${sha256(key)})`.execute(tx);
    return id;
  });
  sourceIds.set(k, id);
  return id;
}

export async function ingestFromConnector(
  database: Database,
  tenantId: string,
  sourceName: string,
  messages: Record<string, unknown>[],
): Promise<{ stored: number; duplicates: number; rejected: string[] }> {
  const sourceId = await connectorSource(database, tenantId, sourceName);
  const now = new Date();
  const ok: Accepted[] = [];
  const rejected: string[] = [];
  for (const m of messages) {
    const v = validateMessage(m, null, now, null);
    if (typeof v === 'string') rejected.push(v);
    else ok.push(v);
  }
  const r = await storeEvents(database, { tenant_id: tenantId, id: sourceId, enabled: true }, ok);
  return { ...r, rejected };
}

/** The profile an identity belongs to now (after merges), or null. */
export async function profileOfIdentity(
  database: Database,
  tenantId: string,
  identity: { kind: string; namespace?: string; value: string },
): Promise<string | null> {
  return inTenant(
    database.db,
    tenantId,
    (tx) =>
      ownerOf(tx, tenantId, {
        kind: identity.kind,
        namespace: identity.namespace ?? '',
        value: identity.value,
      }),
    { readOnly: true },
  );
}

/** The values of one kind of identity a profile holds now (e.g. its WeCom external_userids per corp). */
export async function identitiesOfProfile(
  database: Database,
  tenantId: string,
  profileId: string,
  kind: string,
): Promise<Array<{ namespace: string; value: string }>> {
  return inTenant(
    database.db,
    tenantId,
    async (tx) =>
      (
        await sql<{ namespace: string; value: string }>`select namespace, value from cdp_identities
          where tenant_id = ${tenantId} and profile_id = ${profileId} and kind = ${kind}`.execute(tx)
      ).rows,
    { readOnly: true },
  );
}

import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import { inTenant, type Tx } from '../../platform/db/tenant-scope.ts';
import { registerJob } from '../../platform/jobs/queue.ts';
import { CounterBatch, loadCounterDefs } from './counters.ts';
import { evaluateProfiles, loadSegmentDefs, loadTagDefs } from './evaluation.service.ts';
import { loadIdentityRules, ownerOf, resolveIdentities } from './identity.service.ts';
import { identitiesOf, normalizeIdentity } from './identity.ts';

/** Payload of `cdp:process`: none; each run drains the tenant's pending events in order. */
export type ProcessPayload = Record<string, never>;

const BATCH = 500;

/** All CDP writes that depend on order (resolution, counters, splits) hold this lock. */
export async function lockTenantCdp(tx: Tx, tenantId: string) {
  await sql`select pg_advisory_xact_lock(hashtext(${`cdp:${tenantId}`}))`.execute(tx);
}

interface EventRow {
  id: string;
  ts: Date;
  type: string;
  event: string | null;
  source_id: string;
  message_id: string;
  ident_kind: string;
  ident: string;
  properties: Record<string, unknown>;
  raw: Record<string, any>;
}

/** Resolves, counts and evaluates one batch of pending events; returns how many it took. */
export async function processBatch(db: Db, tenantId: string, now = new Date()): Promise<number> {
  return inTenant(db, tenantId, async (tx) => {
    await lockTenantCdp(tx, tenantId);
    const pending = (
      await sql<{ seq: number; event_id: string; ts: Date }>`select seq, event_id, ts from cdp_pending
        where tenant_id = ${tenantId} order by seq limit ${BATCH}`.execute(tx)
    ).rows;
    if (!pending.length) return 0;
    const events = (
      await sql<EventRow>`select id, ts, type, event, source_id, message_id, ident_kind, ident, properties, raw from cdp_events
        where tenant_id = ${tenantId} and (ts, id) in (${sql.join(pending.map((p) => sql`(${p.ts}::timestamptz, ${p.event_id}::uuid)`))})`.execute(
        tx,
      )
    ).rows;
    const byId = new Map(events.map((e) => [e.id, e]));
    const rules = await loadIdentityRules(tx, tenantId);
    const defs = await loadCounterDefs(tx, tenantId);
    const counters = new CounterBatch();
    const dirty = new Set<string>();
    const traitUpdates = new Map<string, Record<string, unknown>>();
    const seen = new Map<string, Date>();
    for (const p of pending) {
      const e = byId.get(p.event_id);
      if (!e) continue;
      const raw = e.raw;
      const ids = identitiesOf(raw as Parameters<typeof identitiesOf>[0]);
      if (e.type === 'alias') {
        const prev = String(raw.previousId);
        const asUser = normalizeIdentity('user_id', prev);
        const ownedAsUser = asUser ? await ownerOf(tx, tenantId, asUser) : null;
        const prevId = ownedAsUser ? asUser : normalizeIdentity('anonymous_id', prev);
        if (prevId) ids.push(prevId);
      }
      const res = await resolveIdentities(tx, tenantId, rules, ids, {
        reason: e.type,
        messageId: e.message_id,
        source: e.source_id,
        at: e.ts,
      });
      for (const gone of res.mergedAway) {
        counters.remap(gone, res.profileId!);
        dirty.delete(gone);
        const t = traitUpdates.get(gone);
        if (t) {
          traitUpdates.delete(gone);
          traitUpdates.set(res.profileId!, { ...t, ...(traitUpdates.get(res.profileId!) ?? {}) });
        }
        if (res.profileId) dirty.add(res.profileId);
      }
      // The event belongs to the profile owning the identity it is attributed by.
      const ident = normalizeIdentity(e.ident_kind, e.ident);
      const profile = ident ? await ownerOf(tx, tenantId, ident) : null;
      if (!profile) continue;
      dirty.add(profile);
      const last = seen.get(profile);
      if (!last || last < e.ts) seen.set(profile, e.ts);
      counters.add(defs, profile, e.event, e.properties, e.ts);
      if (e.type === 'identify') {
        const traits = { ...(raw.context?.traits ?? {}), ...(raw.traits ?? {}) };
        traitUpdates.set(profile, { ...(traitUpdates.get(profile) ?? {}), ...traits });
      }
      const consent = raw.context?.consent?.categoryPreferences;
      if (consent && typeof consent === 'object') {
        for (const [purpose, granted] of Object.entries(consent).slice(0, 20)) {
          if (typeof granted !== 'boolean') continue;
          await sql`insert into cdp_consents (tenant_id, profile_id, purpose, granted, source, at)
            values (${tenantId}, ${profile}, ${purpose.slice(0, 60)}, ${granted}, ${e.source_id}, ${e.ts})
            on conflict (tenant_id, profile_id, purpose) do update set granted = excluded.granted, source = excluded.source, at = excluded.at
            where cdp_consents.at <= excluded.at`.execute(tx);
        }
      }
    }
    for (const [profile, traits] of traitUpdates)
      await sql`update cdp_profiles set traits = traits || ${JSON.stringify(traits)}::jsonb, updated_at = now()
        where tenant_id = ${tenantId} and id = ${profile}`.execute(tx);
    for (const [profile, at] of seen)
      await sql`update cdp_profiles set last_seen_at = greatest(last_seen_at, ${at}) where tenant_id = ${tenantId} and id = ${profile}`.execute(
        tx,
      );
    await counters.flush(tx, tenantId);
    const [tags, segs] = [await loadTagDefs(tx, tenantId), await loadSegmentDefs(tx, tenantId)];
    await evaluateProfiles(tx, tenantId, [...dirty], now, { tags, segs });
    await sql`delete from cdp_pending where tenant_id = ${tenantId} and seq = any(${pending.map((p) => p.seq)}::bigint[])`.execute(
      tx,
    );
    return pending.length;
  });
}

export function registerProcessJob() {
  registerJob<ProcessPayload>('cdp:process', async (_p, ctx) => {
    for (let i = 0; i < 200 && !ctx.signal.aborted; i++) {
      const n = await processBatch(ctx.db, ctx.tenantId);
      if (n === 0) return;
      if (i % 10 === 9) await ctx.heartbeat();
    }
  });
}

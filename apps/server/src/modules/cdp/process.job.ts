import { sql } from 'kysely';
import type { Db } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import { newId } from '../../core/ids.ts';
import { enqueue, type JobHandler } from '../../core/jobs/queue.ts';
import { CounterBatch } from './counters.ts';
import { evaluateProfiles, type SegmentDef, type TagDef } from './evaluation.service.ts';
import { ownerOf, resolveIdentities } from './identity.service.ts';
import {
  canHold,
  type Identity,
  identitiesOf,
  identityKey,
  type KindCounts,
  normalizeIdentity,
  orderIdentities,
  rulesMap,
} from './identity.ts';
import type { CounterDef, Rule } from './rules.ts';

/** Payload of `cdp:process`: none; each run drains the tenant's pending events in order. */
export type ProcessPayload = Record<string, never>;

const BATCH = 2000;

/** All CDP writes that depend on order (resolution, counters, splits) hold this lock. */
export async function lockTenantCdp(tx: Tx, tenantId: string) {
  await sql`select pg_advisory_xact_lock(hashtext(${`cdp:${tenantId}`}))`.execute(tx);
}

interface EventRow {
  seq: string;
  id: string | null;
  ts: Date;
  type: string;
  event: string | null;
  source_id: string;
  message_id: string;
  ident_kind: string;
  ident: string;
  properties: Record<string, unknown> | null;
  raw: Record<string, any>;
}

/**
 * Resolves, counts and evaluates one batch of pending events; returns how many it took.
 * `jobId`: the `cdp:process` job running it, which takes over the tenant's other queued
 * `cdp:process` jobs (one per ingest request) in the same transaction.
 */
export async function processBatch(
  db: Db,
  tenantId: string,
  now = new Date(),
  opts: { jobId?: string } = {},
): Promise<number> {
  return inTenant(db, tenantId, async (tx) => {
    await lockTenantCdp(tx, tenantId);
    // One round trip takes over the tenant's queued wake-ups and reads the definitions the batch
    // is processed with (identity rules, counters, tags, segments, as loadIdentityRules,
    // loadCounterDefs, loadTagDefs and loadSegmentDefs read them). A queued job was committed
    // with its events, so every job this statement sees has its events visible to the events
    // select below, a later statement: this drain covers it, and the job (a wake-up with no
    // payload) is deleted rather than kept as one finished row per request. Rolled back with
    // the batch if it fails.
    const d = (
      await sql<{
        rules: { kind: string; max_per_profile: number; priority: number; blocked: string[] }[];
        counters: CounterDef[];
        tags: TagDef[];
        segs: SegmentDef[];
      }>`with taken as (delete from jobs where ${opts.jobId ? sql`tenant_id = ${tenantId} and queue = 'cdp:process' and status = 'pending' and id <> ${opts.jobId}` : sql`false`} returning 1)
      select (select coalesce(json_agg(x), '[]') from (select kind, max_per_profile, priority, blocked
          from cdp_identity_rules where tenant_id = ${tenantId}) x) as rules,
        (select coalesce(json_agg(def), '[]') from cdp_counter_defs where tenant_id = ${tenantId}) as counters,
        (select coalesce(json_agg(json_build_object('id', id, 'key', key, 'kind', kind, 'object', object, 'rule', rule, 'config', config)
          order by created_at, id), '[]') from cdp_tags where tenant_id = ${tenantId} and object = 'profile' and status = 'active') as tags,
        (select coalesce(json_agg(json_build_object('id', id, 'object', object, 'purpose', purpose, 'rule', rule)
          order by created_at, id), '[]') from cdp_segments where tenant_id = ${tenantId} and object = 'profile') as segs`.execute(
        tx,
      )
    ).rows[0]!;
    const rules = rulesMap(
      d.rules.map((r) => ({
        kind: r.kind,
        maxPerProfile: r.max_per_profile,
        priority: r.priority,
        blocked: r.blocked,
      })),
    );
    const defs = d.counters;
    const counted = [...new Set(defs.map((d) => d.event))];
    // One round trip for the queue head and its events (a left join: an event retention already
    // deleted is still taken off the queue). Only the parts of the payload resolution reads are
    // fetched, and properties only for events a counter counts.
    const events = (
      await sql<EventRow>`select q.seq, e.id, e.ts, e.type, e.event, e.source_id, e.message_id, e.ident_kind, e.ident,
          case when e.event = any(${counted}::text[]) then e.properties end as properties,
          jsonb_build_object('type', e.type, 'userId', e.raw -> 'userId', 'anonymousId', e.raw -> 'anonymousId',
            'previousId', e.raw -> 'previousId', 'traits', e.raw -> 'traits',
            'context', jsonb_build_object('traits', e.raw #> '{context,traits}', 'externalIds', e.raw #> '{context,externalIds}',
              'consent', e.raw #> '{context,consent}'))
            as raw
        from (select seq, coalesce(event_ids, array[event_id]) as ids, coalesce(tss, array[ts]) as tss,
                sum(coalesce(cardinality(event_ids), 1)) over (order by seq) as upto
              from cdp_pending where tenant_id = ${tenantId} order by seq limit ${BATCH}) q
          cross join lateral unnest(q.ids, q.tss) with ordinality as p(event_id, ts, k)
          left join cdp_events e on e.tenant_id = ${tenantId} and e.ts = p.ts and e.id = p.event_id
        -- whole queue rows (one per ingest request) until the batch is full
        where q.upto - cardinality(q.ids) < ${BATCH}
        order by q.seq, p.k`.execute(tx)
    ).rows;
    if (!events.length) return 0;
    const counters = new CounterBatch();
    const dirty = new Set<string>();
    // Profiles whose rule inputs this batch changed (traits, counters, consents, identity).
    const changed = new Set<string>();
    const traitUpdates = new Map<string, Record<string, unknown>>();
    const seen = new Map<string, Date>();
    // Owners of every identity the batch mentions, fetched at once: most events come from
    // known people, whose identities all belong to one profile already (the fast path).
    const messages = events.map((e) => {
      if (!e.id) return null;
      const ids = identitiesOf(e.raw as Parameters<typeof identitiesOf>[0]);
      const ident = normalizeIdentity(e.ident_kind, e.ident);
      return { e, ids, ident };
    });
    const owners = new Map<string, string>();
    // The owners' last_seen_at as read, so that the update below skips those already current.
    const lastSeen = new Map<string, number>();
    const fetchOwners = async (list: Identity[]) => {
      if (!list.length) return;
      list = [...new Map(list.map((x) => [identityKey(x), x])).values()];
      const r = await sql<{
        kind: string;
        namespace: string;
        value: string;
        profile_id: string;
        last_seen_at: Date | null;
      }>`
        select i.kind, i.namespace, i.value, i.profile_id, p.last_seen_at from cdp_identities i
        join unnest(${list.map((x) => x.kind)}::text[], ${list.map((x) => x.namespace)}::text[], ${list.map((x) => x.value)}::text[]) as q(kind, namespace, value)
          on i.kind = q.kind and i.namespace = q.namespace and i.value = q.value
        left join cdp_profiles p on p.tenant_id = i.tenant_id and p.id = i.profile_id
        where i.tenant_id = ${tenantId}`.execute(tx);
      for (const x of list) owners.delete(identityKey(x));
      for (const row of r.rows) {
        owners.set(identityKey(row), row.profile_id);
        if (row.last_seen_at) lastSeen.set(row.profile_id, +row.last_seen_at);
      }
    };
    await fetchOwners(messages.flatMap((m) => (m ? [...m.ids, ...(m.ident ? [m.ident] : [])] : [])));
    const fresh: { id: string; at: Date }[] = [];
    const freshIds: { i: Identity; profile: string; source: string }[] = [];
    const freshSet = new Set<string>();
    const flushFresh = async () => {
      if (!fresh.length) return;
      await sql`insert into cdp_profiles (tenant_id, id, canonical_id, first_seen_at, last_seen_at)
        select ${tenantId}, id, id, at, at from unnest(${fresh.map((f) => f.id)}::uuid[], ${fresh.map((f) => new Date(f.at).toISOString())}::timestamptz[]) as v(id, at)`.execute(
        tx,
      );
      await sql`insert into cdp_identities (tenant_id, id, kind, namespace, value, profile_id, origin_profile_id, source)
        select ${tenantId}, gen_random_uuid(), kind, namespace, value, profile_id, profile_id, source
        from unnest(${freshIds.map((x) => x.i.kind)}::text[], ${freshIds.map((x) => x.i.namespace)}::text[], ${freshIds.map((x) => x.i.value)}::text[],
          ${freshIds.map((x) => x.profile)}::uuid[], ${freshIds.map((x) => x.source)}::text[]) as v(kind, namespace, value, profile_id, source)`.execute(
        tx,
      );
      fresh.length = 0;
      freshIds.length = 0;
      freshSet.clear();
    };
    for (const m of messages) {
      if (!m) continue;
      const { e, ids, ident } = m;
      const raw = e.raw;
      if (e.type === 'alias') {
        await flushFresh();
        const prev = String(raw.previousId);
        const asUser = normalizeIdentity('user_id', prev);
        const ownedAsUser = asUser ? await ownerOf(tx, tenantId, asUser) : null;
        const prevId = ownedAsUser ? asUser : normalizeIdentity('anonymous_id', prev);
        if (prevId) ids.push(prevId);
      }
      const ordered = orderIdentities(rules, ids);
      const known = ordered.map((i) => owners.get(identityKey(i)));
      const settled = ordered.length > 0 && known.every((o) => o !== undefined && o === known[0]);
      if (!settled && ordered.length && ordered.every((i) => !owners.has(identityKey(i)))) {
        // A new person: planResolution with no owner attaches what fits into one new profile;
        // done in memory and written in bulk after the loop.
        const counts: KindCounts = new Map();
        const id = newId();
        fresh.push({ id, at: e.ts });
        freshSet.add(id);
        for (const i of ordered) {
          const one = new Map([[i.kind, 1]]);
          if (!canHold(rules, counts, one)) continue;
          counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1);
          freshIds.push({ i, profile: id, source: e.source_id });
          owners.set(identityKey(i), id);
        }
      } else if (!settled && ordered.length) {
        // The resolver reads the database: write the new people first if this message involves one.
        if (ordered.some((i) => freshSet.has(owners.get(identityKey(i)) ?? ''))) await flushFresh();
        const res = await resolveIdentities(tx, tenantId, rules, ids, {
          reason: e.type,
          messageId: e.message_id,
          source: e.source_id,
          at: e.ts,
        });
        const gone = new Set(res.mergedAway);
        if (gone.size) for (const [k, v] of owners) if (gone.has(v)) owners.set(k, res.profileId!);
        await fetchOwners(ordered);
        for (const g of res.mergedAway) {
          counters.remap(g, res.profileId!);
          dirty.delete(g);
          changed.delete(g);
          seen.delete(g);
          const t = traitUpdates.get(g);
          if (t) {
            traitUpdates.delete(g);
            traitUpdates.set(res.profileId!, { ...t, ...(traitUpdates.get(res.profileId!) ?? {}) });
          }
          if (res.profileId) dirty.add(res.profileId);
        }
      }
      const touched = !settled;
      // The event belongs to the profile owning the identity it is attributed by.
      const profile = ident ? (owners.get(identityKey(ident)) ?? null) : null;
      if (!profile) continue;
      dirty.add(profile);
      const last = seen.get(profile);
      if (!last || last < e.ts) seen.set(profile, e.ts);
      if (touched) changed.add(profile);
      if (e.properties && counters.add(defs, profile, e.event, e.properties, e.ts)) changed.add(profile);
      if (e.type === 'identify') {
        changed.add(profile);
        const traits = { ...(raw.context?.traits ?? {}), ...(raw.traits ?? {}) };
        traitUpdates.set(profile, { ...(traitUpdates.get(profile) ?? {}), ...traits });
      }
      const consent = raw.context?.consent?.categoryPreferences;
      if (consent && typeof consent === 'object') {
        changed.add(profile);
        for (const [purpose, granted] of Object.entries(consent).slice(0, 20)) {
          if (typeof granted !== 'boolean') continue;
          await sql`insert into cdp_consents (tenant_id, profile_id, purpose, granted, source, at)
            values (${tenantId}, ${profile}, ${purpose.slice(0, 60)}, ${granted}, ${e.source_id}, ${e.ts})
            on conflict (tenant_id, profile_id, purpose) do update set granted = excluded.granted, source = excluded.source, at = excluded.at
            where cdp_consents.at <= excluded.at`.execute(tx);
        }
      }
    }
    await flushFresh();
    if (traitUpdates.size)
      await sql`update cdp_profiles p set traits = p.traits || v.traits, updated_at = now()
        from unnest(${[...traitUpdates.keys()]}::uuid[], ${[...traitUpdates.values()].map((t) => JSON.stringify(t))}::jsonb[]) as v(id, traits)
        where p.tenant_id = ${tenantId} and p.id = v.id`.execute(tx);
    // last_seen_at is kept to the minute: a busy profile is not rewritten on every batch.
    for (const [p, at] of seen)
      if (+at - (lastSeen.get(p) ?? Number.NEGATIVE_INFINITY) <= 60_000) seen.delete(p);
    if (seen.size)
      await sql`update cdp_profiles p set last_seen_at = v.at
        from unnest(${[...seen.keys()]}::uuid[], ${[...seen.values()].map((d) => new Date(d).toISOString())}::timestamptz[]) as v(id, at)
        where p.tenant_id = ${tenantId} and p.id = v.id and p.last_seen_at < v.at - interval '1 minute'`.execute(
        tx,
      );
    await counters.flush(tx, tenantId);
    const { tags, segs } = d;
    // A profile none of whose rule inputs changed keeps its tags and segments: windows that
    // close with time alone are cdp:tick's, and API writes (consents, manual tags, CRM links)
    // evaluate their profile themselves. Rules reading tags or CRM fields are re-evaluated on
    // every event of the profile all the same, as a safety net for writes made elsewhere.
    const evaluate = readsOutsideEvents(tags, segs) ? [...dirty] : [...changed].filter((p) => dirty.has(p));
    await evaluateProfiles(tx, tenantId, evaluate, now, { tags, segs });
    await sql`delete from cdp_pending where tenant_id = ${tenantId} and seq = any(${[...new Set(events.map((e) => e.seq))]}::bigint[])`.execute(
      tx,
    );
    // One outbox event per batch of resolved track events: automations (journeys' event triggers,
    // waits and goals) react to it instead of polling the event table.
    const tracked = [...new Set(events.filter((e) => e.type === 'track' && e.event).map((e) => e.event!))];
    if (tracked.length)
      await emitEvent(tx, tenantId, { type: 'cdp.events_processed', payload: { events: tracked } });
    return events.length;
  });
}

/** Do any active rules read tags or CRM fields (inputs that change outside the event stream)? */
function readsOutsideEvents(tags: TagDef[], segs: SegmentDef[]): boolean {
  const outside = (r: Rule | null | undefined): boolean => {
    if (!r) return false;
    if ('and' in r) return r.and.some(outside);
    if ('or' in r) return r.or.some(outside);
    if ('not' in r) return outside(r.not);
    return 'tag' in r || 'crm' in r;
  };
  return (
    segs.some((g) => outside(g.rule)) ||
    tags.some(
      (t) =>
        t.kind !== 'manual' &&
        t.kind !== 'predicted' &&
        (t.kind === 'crm' || outside(t.rule) || (t.config.scores ?? []).some((x) => outside(x.rule))),
    )
  );
}

/** `cdp:process`: resolves identities and evaluates tags and segments for newly ingested events. */
export const processJob: JobHandler<ProcessPayload> = async (_p, ctx) => {
  let n = 0;
  for (let i = 0; i < 200 && !ctx.signal.aborted; i++) {
    n = await processBatch(ctx.db, ctx.tenantId, new Date(), { jobId: ctx.jobId });
    if (n === 0) return;
    if (i % 10 === 9) await ctx.heartbeat();
  }
  // Stopped with events left (shutdown, or a long backlog): the jobs this one took over are
  // gone, so it leaves one in their place.
  if (n > 0) await ctx.tx((tx) => enqueue(tx, ctx.tenantId, 'cdp:process', {}, { maxAttempts: 20 }));
};

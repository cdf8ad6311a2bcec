import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import { randomToken, sha256 } from '../../core/auth/tokens.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { forgetWriteKeys } from './ingest.ts';
import { scheduleTick } from './tick-schedule.ts';

/** Event sources (R1.1): write keys hashed at rest and shown once, rotation, the live debugger. */

export const WRITE_KEY_PREFIX = 'wk_';

const sourceOut = (r: any) => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  keyPrefix: r.key_prefix,
  enabled: r.enabled,
  createdAt: r.created_at,
  lastEventAt: r.last_event_at,
});

export async function listSources(tx: Tx, tenantId: string) {
  const r = await sql`select * from cdp_sources where tenant_id = ${tenantId} order by created_at`.execute(
    tx,
  );
  return { items: r.rows.map(sourceOut) };
}

export async function createSource(tx: Tx, actor: Actor, input: { name: string; kind: string }) {
  const id = newId();
  const key = `${WRITE_KEY_PREFIX}${randomToken(24)}`;
  const r = await sql`insert into cdp_sources (tenant_id, id, name, kind, key_prefix, key_hash, created_by)
    values (${actor.tenantId}, ${id}, ${input.name}, ${input.kind}, ${key.slice(0, 9)}, ${sha256(key)}, ${actor.actorId}) returning *`.execute(
    tx,
  );
  await writeAudit(tx, actor, {
    action: 'create',
    object: 'cdp_source',
    recordId: id,
    meta: { name: input.name, kind: input.kind },
  });
  await scheduleTick(tx, actor.tenantId);
  // The write key is shown once; only its hash is kept.
  return { ...sourceOut(r.rows[0]), writeKey: key };
}

export async function updateSource(
  tx: Tx,
  actor: Actor,
  id: string,
  input: { name?: string; enabled?: boolean },
) {
  const r =
    await sql`update cdp_sources set name = coalesce(${input.name ?? null}, name), enabled = coalesce(${input.enabled ?? null}, enabled),
    updated_at = now() where tenant_id = ${actor.tenantId} and id = ${id} returning *`.execute(tx);
  if (!r.rows[0]) throw notFound('source');
  await writeAudit(tx, actor, { action: 'update', object: 'cdp_source', recordId: id, meta: input });
  forgetWriteKeys();
  return sourceOut(r.rows[0]);
}

export async function rotateSourceKey(tx: Tx, actor: Actor, id: string) {
  const key = `${WRITE_KEY_PREFIX}${randomToken(24)}`;
  const r =
    await sql`update cdp_sources set key_prefix = ${key.slice(0, 9)}, key_hash = ${sha256(key)}, updated_at = now()
    where tenant_id = ${actor.tenantId} and id = ${id} returning *`.execute(tx);
  if (!r.rows[0]) throw notFound('source');
  await writeAudit(tx, actor, { action: 'cdp.rotate_key', object: 'cdp_source', recordId: id });
  forgetWriteKeys();
  return { ...sourceOut(r.rows[0]), writeKey: key };
}

/** Live debugger: the newest stored events and rejections of a source. */
export async function sourceDebug(tx: Tx, tenantId: string, id: string, sinceSeq = 0) {
  const exists = await sql`select 1 from cdp_sources where tenant_id = ${tenantId} and id = ${id}`.execute(
    tx,
  );
  if (!exists.rows.length) throw notFound('source');
  const events =
    await sql<any>`select id, type, event, message_id, user_id, anonymous_id, ts, received_at, raw from cdp_events
    where tenant_id = ${tenantId} and source_id = ${id} and received_at > now() - interval '7 days'
    order by received_at desc limit 50`.execute(tx);
  const errors = await sql<any>`select seq, at, type, message_id, reason, payload from cdp_debug
    where tenant_id = ${tenantId} and source_id = ${id} and seq > ${sinceSeq} order by seq desc limit 50`.execute(
    tx,
  );
  return {
    events: events.rows.map((e) => ({
      id: e.id,
      type: e.type,
      event: e.event,
      messageId: e.message_id,
      userId: e.user_id,
      anonymousId: e.anonymous_id,
      timestamp: e.ts,
      receivedAt: e.received_at,
      raw: e.raw,
    })),
    errors: errors.rows.map((e) => ({
      seq: e.seq,
      at: e.at,
      type: e.type,
      messageId: e.message_id,
      reason: e.reason,
      payload: e.payload,
    })),
  };
}

/**
 * A source's event volume by message type: per day over the last 30 days, or per hour over the
 * last 48 hours, by the time each event happened (a back-dated import shows when it happened).
 * Buckets are UTC days and hours; the chart shows them in the reader's zone.
 */
export async function sourceVolume(tx: Tx, tenantId: string, id: string, by: 'day' | 'hour') {
  const src = await sql`select 1 from cdp_sources where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
  if (!src.rows.length) throw notFound('source');
  const now = Date.now();
  const from =
    by === 'day'
      ? new Date(Math.floor(now / 86_400_000) * 86_400_000 - 29 * 86_400_000)
      : new Date(Math.floor(now / 3_600_000) * 3_600_000 - 47 * 3_600_000);
  const r = await sql<{ bucket: Date; type: string; n: number }>`
    select date_trunc(${by}, ts at time zone 'UTC') at time zone 'UTC' as bucket, type, count(*)::int as n
    from cdp_events where tenant_id = ${tenantId} and source_id = ${id} and ts >= ${from} and ts <= ${new Date(now + 3_600_000)}
    group by 1, 2 order by 1, 2`.execute(tx);
  return {
    by,
    items: r.rows.map((x) => ({ bucket: new Date(x.bucket).toISOString(), type: x.type, n: x.n })),
  };
}

import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { normalizeIdentity } from './identity.ts';
import { recordSource } from './record-source.ts';
import { type CrmScope, compare, linkedPeopleSql, type PropCond, type Rule, ruleQuery } from './rules.ts';

/**
 * What journeys (and later automations) read from the CDP: which of some profiles a rule holds
 * for (the one SQL evaluator), the events ingested since a cursor, the profile behind a CRM
 * record and the staff member who owns a profile. Everything runs in the caller's tenant tx.
 */

/** The ids among `profileIds` (all live profiles when null) the rule holds for at `now`. */
export async function profilesMatching(
  tx: Tx,
  tenantId: string,
  rule: Rule,
  profileIds: string[] | null,
  now: Date,
  crmScope?: CrmScope,
): Promise<string[]> {
  const q = ruleQuery(rule, tenantId, now, { crmScope });
  const r = await sql<{ id: string }>`select m.id from (${q}) m
    ${profileIds ? sql`where m.id = any(${profileIds}::uuid[])` : sql``}`.execute(tx);
  return r.rows.map((x) => x.id);
}

export interface FedEvent {
  id: string;
  event: string;
  profileId: string;
  properties: Record<string, unknown>;
  ts: string;
  receivedAt: string;
}

/**
 * Track events named `names` received after `after` (an exclusive cursor `receivedAt|id`),
 * attributed to their profile, oldest first. Events whose identity is not resolved yet are
 * left for the next read (`upTo` keeps the cursor behind the CDP's pending queue).
 */
export async function eventsSince(
  tx: Tx,
  tenantId: string,
  names: string[],
  after: { receivedAt: string; id: string },
  limit: number,
): Promise<FedEvent[]> {
  if (!names.length) return [];
  const r = await sql<FedEvent>`select e.id, e.event, i.profile_id as "profileId", e.properties,
      e.ts::text as ts, e.received_at::text as "receivedAt"
    from cdp_events e
    join cdp_identities i on i.tenant_id = e.tenant_id and i.kind = e.ident_kind and i.namespace = '' and i.value = e.ident
    where e.tenant_id = ${tenantId} and e.event = any(${names}::text[])
      and (e.received_at, e.id) > (${after.receivedAt}::timestamptz, ${after.id}::uuid)
      and not exists (select 1 from cdp_pending q where q.tenant_id = e.tenant_id and q.event_id = e.id)
    order by e.received_at, e.id limit ${limit}`.execute(tx);
  return r.rows;
}

/** Whether an event's properties pass property filters (the rule language's comparison). */
export const propertiesMatch = (props: Record<string, unknown>, where: PropCond[]) =>
  where.every((w) => compare(props[w.prop], w));

/** The live profile behind each record (customer, contact, opportunity, order, lead); absent when none. */
export async function profilesOfRecords(
  tx: Tx,
  tenantId: string,
  object: string,
  ids: string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!ids.length) return out;
  let rows: { rid: string; pid: string }[] = [];
  if (object === 'customer' || object === 'contact') {
    rows = (
      await sql<{
        rid: string;
        pid: string;
      }>`select record_id as rid, profile_id as pid from cdp_profile_links
        where tenant_id = ${tenantId} and object = ${object} and record_id = any(${ids}::uuid[])`.execute(tx)
    ).rows;
  } else if (object === 'opportunity' || object === 'order') {
    const table = object === 'order' ? 'orders' : 'opportunities';
    rows = (
      await sql<{
        rid: string;
        pid: string;
      }>`select r.id as rid, l.profile_id as pid from ${sql.table(table)} r
        join cdp_profile_links l on l.tenant_id = r.tenant_id and l.object = 'customer' and l.record_id = r.customer_id
        where r.tenant_id = ${tenantId} and r.id = any(${ids}::uuid[])`.execute(tx)
    ).rows;
  } else if (object === 'lead') {
    const leads = (
      await sql<{ id: string; phone: string | null }>`select id, phone from leads
        where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(tx)
    ).rows;
    for (const l of leads) {
      const ident = normalizeIdentity('phone', l.phone);
      if (!ident) continue;
      const p = (
        await sql<{ pid: string }>`select profile_id as pid from cdp_identities
          where tenant_id = ${tenantId} and kind = 'phone' and namespace = '' and value = ${ident.value}`.execute(
          tx,
        )
      ).rows[0];
      if (p) rows.push({ rid: l.id, pid: p.pid });
    }
  }
  for (const r of rows) out.set(r.rid, r.pid);
  return out;
}

/** The staff member who owns each profile: the owner of its linked customer, else of its contact. */
export async function ownersOfProfiles(
  tx: Tx,
  tenantId: string,
  profileIds: string[],
): Promise<Map<string, string>> {
  const r = await sql<{ pid: string; owner: string }>`select distinct on (l.profile_id) l.profile_id as pid,
      coalesce(c.owner_id, k.owner_id) as owner
    from cdp_profile_links l
    left join customers c on l.object = 'customer' and c.tenant_id = l.tenant_id and c.id = l.record_id and c.deleted_at is null
    left join contacts k on l.object = 'contact' and k.tenant_id = l.tenant_id and k.id = l.record_id and k.deleted_at is null
    where l.tenant_id = ${tenantId} and l.profile_id = any(${profileIds}::uuid[])
      and coalesce(c.owner_id, k.owner_id) is not null
    order by l.profile_id, (l.object = 'customer') desc, l.linked_at`.execute(tx);
  return new Map(r.rows.map((x) => [x.pid, x.owner]));
}

/** Sum of order amounts (minor units) of each profile's linked customers created within [from, to]. */
export async function orderRevenueOf(
  tx: Tx,
  tenantId: string,
  windows: { profileId: string; from: string; to: string }[],
): Promise<number> {
  if (!windows.length) return 0;
  const r = await sql<{ s: string }>`select coalesce(sum((o.amount->>'amount')::numeric), 0)::text as s
    from jsonb_to_recordset(${JSON.stringify(windows)}::jsonb) w("profileId" uuid, "from" timestamptz, "to" timestamptz)
    join cdp_profile_links l on l.tenant_id = ${tenantId} and l.profile_id = w."profileId" and l.object = 'customer'
    join orders o on o.tenant_id = l.tenant_id and o.customer_id = l.record_id and o.deleted_at is null
      and o.created_at >= w."from" and o.created_at <= w."to"`.execute(tx);
  return Number(r.rows[0]?.s ?? 0);
}

/** Sets (or clears, with null) one trait of a profile (a journey's "update a field" step). */
export async function setProfileTrait(
  tx: Tx,
  tenantId: string,
  profileId: string,
  trait: string,
  value: unknown,
) {
  await sql`update cdp_profiles set traits = case when ${value === null} then traits - ${trait}
      else traits || jsonb_build_object(${trait}::text, ${JSON.stringify(value)}::jsonb) end
    where tenant_id = ${tenantId} and id = ${profileId}`.execute(tx);
}

/** The live (not merged away) profiles among `ids`. */
export async function liveProfiles(tx: Tx, tenantId: string, ids: string[]): Promise<string[]> {
  const r = await sql<{ id: string }>`select id from cdp_profiles
    where tenant_id = ${tenantId} and id = any(${ids}::uuid[]) and merged_into is null`.execute(tx);
  return r.rows.map((x) => x.id);
}

/**
 * The profiles a segment's subjects stand for: a profile segment's subjects are profiles; a
 * record segment's (a vehicle in 待保养) are the profiles of the people its lookups name (the
 * vehicle's owner) — the same mapping record rules use for events. Each subject → its profiles.
 */
export async function profilesOfSegmentSubjects(
  tx: Tx,
  tenantId: string,
  segmentId: string,
  subjectIds: string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!subjectIds.length) return out;
  const seg = (
    await sql<{
      object: string;
    }>`select object from cdp_segments where tenant_id = ${tenantId} and id = ${segmentId}`.execute(tx)
  ).rows[0];
  if (!seg || seg.object === 'profile') {
    for (const id of subjectIds) out.set(id, [id]);
    return out;
  }
  const src = recordSource(seg.object);
  const r = await sql<{
    rid: string;
    pid: string;
  }>`select distinct r.id as rid, coalesce(p.merged_into, p.id) as pid
    from ${src.table}
    cross join lateral (${linkedPeopleSql(seg.object, src.data, sql`r.id`)}) pp
    join cdp_profile_links l on l.tenant_id = ${tenantId} and l.object = pp.object and l.record_id = pp.id
    join cdp_profiles p on p.tenant_id = l.tenant_id and p.id = l.profile_id
    where ${src.where(tenantId)} and r.id = any(${subjectIds}::uuid[])`.execute(tx);
  for (const x of r.rows) out.set(x.rid, [...(out.get(x.rid) ?? []), x.pid]);
  return out;
}

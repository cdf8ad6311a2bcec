import type { PersonLabel } from '@kehu/contracts/cdp';
import { type RawBuilder, sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import { isUuid } from '../../core/ids.ts';
import { normalizeIdentity } from './identity.ts';
import { maskTraits, maskValue, profileName } from './masking.ts';
import { personLabels } from './person-label.ts';
import { scopeFilterFor } from './rule-access.ts';
import { recordNames } from './subject-tags.service.ts';
import type { Viewer } from './viewer.ts';

/**
 * The profile list and the merge history, in cursor pages (R14.1: millions of profiles).
 * Profiles are ordered by id, newest first: ids are UUIDv7, so this is creation order, and unlike
 * last_seen_at it does not move while events arrive, so paging never repeats or skips a profile.
 */

/** Above this many matches the total is an estimate (the planner's), never a full count. */
export const EXACT_COUNT_CAP = 10_000;
const IDENTITY_PREVIEW = 10;
/** The identities a list row shows first: the ones people recognise, anonymous ids last. */
const SHOWN_FIRST = [
  'user_id',
  'member_no',
  'phone',
  'email',
  'wechat_unionid',
  'wecom_external_userid',
  'openid',
  'custom',
  'anonymous_id',
];
/** Kinds stored without a namespace: looked up through the (tenant, kind, '', value) unique index. */
const PLAIN_KINDS = ['user_id', 'member_no', 'phone', 'email', 'wechat_unionid', 'anonymous_id'];

export interface ProfileListQuery {
  q?: string;
  limit: number;
  cursor?: string;
  segment?: string;
  tag?: string;
  linked?: boolean;
  count?: boolean;
}

export interface Total {
  total?: number;
  /** False when `total` is the planner's estimate (more than EXACT_COUNT_CAP matches). */
  totalExact?: boolean;
}

const decode = (s: string, keys: string[]) =>
  decodeCursor<Record<string, string>>(s, (c) => keys.every((k) => typeof c[k] === 'string') && isUuid(c.id));

/** Exact count up to the cap, else the planner's row estimate (flagged). */
async function countOf(tx: Tx, from: RawBuilder<unknown>): Promise<Required<Total>> {
  const n = (
    await sql<{
      n: number;
    }>`select count(*)::int as n from (select 1 ${from} limit ${EXACT_COUNT_CAP + 1}) x`.execute(tx)
  ).rows[0]!.n;
  if (n <= EXACT_COUNT_CAP) return { total: n, totalExact: true };
  const plan = (await sql<Record<string, unknown>>`explain (format json) select 1 ${from}`.execute(tx))
    .rows[0]!;
  const raw = Object.values(plan)[0];
  const json = typeof raw === 'string' ? JSON.parse(raw) : raw;
  const est = Math.round(Number(json?.[0]?.Plan?.['Plan Rows'] ?? 0));
  return { total: Math.max(est, n), totalExact: false };
}

/** Profiles owning an identity equal to the term (normalised per kind: E.164, lower-cased email …). */
async function profilesByIdentity(tx: Tx, tenantId: string, term: string): Promise<string[]> {
  const plain = PLAIN_KINDS.flatMap((k) => {
    const i = normalizeIdentity(k, term);
    return i ? [i] : [];
  });
  const r = await sql<{ profile_id: string }>`
    select i.profile_id from cdp_identities i
      join unnest(${plain.map((i) => i.kind)}::text[], ${plain.map((i) => i.value)}::text[]) as q(kind, value)
        on i.kind = q.kind and i.value = q.value
      where i.tenant_id = ${tenantId} and i.namespace = ''
    union
    select i.profile_id from cdp_identities i
      where i.tenant_id = ${tenantId} and i.namespace <> '' and i.value = ${term}`.execute(tx);
  return r.rows.map((x) => x.profile_id);
}

async function idOfTag(tx: Tx, tenantId: string, tag: string): Promise<string> {
  const r = await sql<{
    id: string;
  }>`select id from cdp_tags where tenant_id = ${tenantId} and object = 'profile'
    and ${isUuid(tag) ? sql`id = ${tag}` : sql`key = ${tag}`}`.execute(tx);
  if (!r.rows[0]) throw notFound('tag');
  return r.rows[0].id;
}

async function assertSegment(tx: Tx, tenantId: string, id: string) {
  const r = await sql`select 1 from cdp_segments where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
  if (!r.rows.length) throw notFound('segment');
}

export async function listProfiles(tx: Tx, viewer: Viewer, q: ProfileListQuery, unmasked: boolean) {
  const tenantId = viewer.principal.tenantId;
  const conds: RawBuilder<unknown>[] = [sql`p.tenant_id = ${tenantId}`, sql`p.merged_into is null`];
  const scope = scopeFilterFor(viewer, 'profile');
  if (!scope.all) conds.push(scope.where(sql`p.id`));
  const term = q.q?.trim();
  if (term) {
    const ids = await profilesByIdentity(tx, tenantId, term);
    // A term that is someone's identity means that person: the name prefix is tried only when no
    // identity matched, because it is a filter on the id-ordered walk, not an index (under
    // row-level security PostgreSQL will not use an index on `traits ->> 'name'`, the operator
    // is not leakproof), and a rare prefix walks every profile of the tenant.
    // A name is found by prefix only by a viewer who sees names in full: for anyone else a prefix
    // walk would read a masked name back a character at a time, so they match the whole name.
    const byName = unmasked
      ? sql`starts_with(p.traits ->> 'name', ${term})`
      : sql`p.traits ->> 'name' = ${term}`;
    conds.push(ids.length ? sql`p.id = any(${ids}::uuid[])` : byName);
  }
  if (q.segment) {
    await assertSegment(tx, tenantId, q.segment);
    conds.push(sql`p.id in (select m.subject_id from cdp_segment_members m
      where m.tenant_id = ${tenantId} and m.segment_id = ${q.segment})`);
  }
  if (q.tag) {
    const tagId = await idOfTag(tx, tenantId, q.tag);
    conds.push(sql`p.id in (select t.subject_id from cdp_subject_tags t
      where t.tenant_id = ${tenantId} and t.tag_id = ${tagId})`);
  }
  if (q.linked !== undefined)
    conds.push(
      sql`${sql.raw(q.linked ? '' : 'not')} exists (select 1 from cdp_profile_links l
        where l.tenant_id = p.tenant_id and l.profile_id = p.id)`,
    );
  const where = sql.join(conds, sql` and `);
  const after = q.cursor ? sql`and p.id < ${decode(q.cursor, ['id']).id}::uuid` : sql``;
  const rows = (
    await sql<any>`select p.id, p.traits, p.first_seen_at, p.last_seen_at from cdp_profiles p
      where ${where} ${after} order by p.id desc limit ${q.limit + 1}`.execute(tx)
  ).rows;
  const page = rows.slice(0, q.limit);
  const details = await pageDetails(
    tx,
    viewer,
    page.map((p) => p.id as string),
  );
  const labels = await personLabels(
    tx,
    tenantId,
    page.map((p) => p.id as string),
    unmasked,
  );
  const items = page.map((p) => {
    const d = details.get(p.id);
    const { traits } = maskTraits(p.traits, unmasked);
    let identities: string[] = d?.identities ?? [];
    if (!unmasked) {
      identities = identities.map((s) => {
        const [k, ...v] = s.split(':');
        const kind = k === 'phone' ? 'phone' : k === 'email' ? 'email' : null;
        return kind ? `${k}:${maskValue(kind, v.join(':'))}` : s;
      });
    }
    return {
      id: p.id as string,
      name: profileName(p.traits, unmasked),
      label: labels.get(p.id)!,
      traits,
      identities,
      identityCount: d?.identityCount ?? 0,
      tagCount: d?.tagCount ?? 0,
      segmentCount: d?.segmentCount ?? 0,
      links: d?.links ?? [],
      firstSeenAt: p.first_seen_at,
      lastSeenAt: p.last_seen_at,
    };
  });
  const last = page[page.length - 1];
  const out: { items: typeof items; nextCursor: string | null } & Total = {
    items,
    nextCursor: rows.length > q.limit && last ? encodeCursor({ id: last.id }) : null,
  };
  if (q.count) Object.assign(out, await countOf(tx, sql`from cdp_profiles p where ${where}`));
  return out;
}

interface Details {
  identities: string[];
  identityCount: number;
  tagCount: number;
  segmentCount: number;
  links: { object: string; recordId: string; visible: boolean; name: string | null }[];
}

/** What a list row shows beyond the profile itself, read for the whole page at once. */
async function pageDetails(tx: Tx, viewer: Viewer, ids: string[]): Promise<Map<string, Details>> {
  const out = new Map<string, Details>();
  if (!ids.length) return out;
  const tenantId = viewer.principal.tenantId;
  const r = await sql<any>`select x.id,
      (select array_agg(i.kind || ':' || i.value) from (select kind, value from cdp_identities
         where tenant_id = ${tenantId} and profile_id = x.id
         order by array_position(${SHOWN_FIRST}::text[], kind), kind, first_seen_at limit ${IDENTITY_PREVIEW}) i) as identities,
      (select count(*)::int from cdp_identities where tenant_id = ${tenantId} and profile_id = x.id) as identity_count,
      (select count(*)::int from cdp_subject_tags where tenant_id = ${tenantId} and subject_id = x.id) as tag_count,
      (select count(*)::int from cdp_segment_members where tenant_id = ${tenantId} and subject_id = x.id) as segment_count
    from unnest(${ids}::uuid[]) as x(id)`.execute(tx);
  for (const row of r.rows)
    out.set(row.id, {
      identities: row.identities ?? [],
      identityCount: row.identity_count,
      tagCount: row.tag_count,
      segmentCount: row.segment_count,
      links: [],
    });
  const links = (
    await sql<{ profile_id: string; object: string; record_id: string }>`select profile_id, object, record_id
      from cdp_profile_links where tenant_id = ${tenantId} and profile_id = any(${ids}::uuid[]) order by linked_at`.execute(
      tx,
    )
  ).rows;
  // CRM records are read as the viewer: one outside their scope is linked but nameless.
  const names = new Map<string, Map<string, string | null>>();
  for (const object of new Set(links.map((l) => l.object)))
    names.set(
      object,
      await recordNames(
        tx,
        viewer,
        object,
        links.filter((l) => l.object === object).map((l) => l.record_id),
      ),
    );
  for (const l of links) {
    const seen = names.get(l.object)!;
    out.get(l.profile_id)?.links.push({
      object: l.object,
      recordId: l.record_id,
      visible: seen.has(l.record_id),
      name: seen.get(l.record_id) ?? null,
    });
  }
  return out;
}

// ------------------------------------------------------------------ merges

export interface MergeListQuery {
  limit: number;
  cursor?: string;
  profile?: string;
  split?: boolean;
  count?: boolean;
}

const PERSONAL_KINDS: Record<string, string> = {
  phone: 'phone',
  email: 'email',
  wechat_unionid: 'id',
  openid: 'id',
  wecom_external_userid: 'id',
};

/** Merge history, newest first, in (at, id) keyset pages. */
export async function listMerges(tx: Tx, tenantId: string, q: MergeListQuery, unmasked: boolean) {
  const conds: RawBuilder<unknown>[] = [sql`m.tenant_id = ${tenantId}`];
  if (q.profile) {
    const p =
      await sql`select 1 from cdp_profiles where tenant_id = ${tenantId} and id = ${q.profile}`.execute(tx);
    if (!p.rows.length) throw notFound('profile');
    conds.push(sql`(m.target_id = ${q.profile} or m.source_id = ${q.profile})`);
  }
  if (q.split !== undefined) conds.push(q.split ? sql`m.split_at is not null` : sql`m.split_at is null`);
  const where = sql.join(conds, sql` and `);
  let after = sql``;
  if (q.cursor) {
    const c = decode(q.cursor, ['at', 'id']);
    // Spelled out rather than as a row comparison, whose operator PostgreSQL does not treat
    // as leakproof, so the (tenant, at, id) index still serves it under row-level security.
    after = sql`and m.at <= ${c.at}::timestamptz and (m.at < ${c.at}::timestamptz or m.id < ${c.id}::uuid)`;
  }
  // The cursor keeps `at` as PostgreSQL prints it: a JS Date would drop the microseconds.
  const rows = (
    await sql<any>`select m.id, m.at, m.at::text as at_text, m.target_id, m.source_id, m.reason, m.evidence, m.split_at
      from cdp_merges m where ${where} ${after} order by m.at desc, m.id desc limit ${q.limit + 1}`.execute(
      tx,
    )
  ).rows;
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const labels = await personLabels(
    tx,
    tenantId,
    page.flatMap((m) => [m.target_id, m.source_id]),
    unmasked,
  );
  const out: { items: ReturnType<typeof mergeRow>[]; nextCursor: string | null } & Total = {
    items: page.map((m) => mergeRow(m, unmasked, labels)),
    nextCursor: rows.length > q.limit && last ? encodeCursor({ at: last.at_text, id: last.id }) : null,
  };
  if (q.count) Object.assign(out, await countOf(tx, sql`from cdp_merges m where ${where}`));
  return out;
}

/** A merge as the API shows it: the evidence identity masked like any identity unless unmasked, both people by label. */
export function mergeRow(m: any, unmasked: boolean, labels: Map<string, PersonLabel>) {
  const identity = (m.evidence?.identity ?? null) as { kind: string; value: string } | null;
  const personal = identity && PERSONAL_KINDS[identity.kind];
  return {
    id: m.id as string,
    at: m.at,
    targetId: m.target_id as string,
    sourceId: m.source_id as string,
    targetLabel: labels.get(m.target_id) ?? null,
    sourceLabel: labels.get(m.source_id) ?? null,
    reason: m.reason as string,
    evidence: {
      identity:
        identity && personal && !unmasked
          ? { ...identity, value: maskValue(personal, String(identity.value)) }
          : identity,
      messageId: (m.evidence?.messageId as string | undefined) ?? null,
    },
    splitAt: m.split_at,
  };
}

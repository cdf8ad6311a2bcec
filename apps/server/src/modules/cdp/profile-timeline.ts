import { TIMELINE_KINDS, type TimelineKind } from '@kehu/contracts/cdp';
import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { getRecord, recordCtx } from '../../engine/records/record.service.ts';
import type { RecordOut } from '../../engine/records/record-mapper.ts';
import {
  type CustomerLists,
  customerTimeline as crmTimeline,
  customerLists,
  type TimelineItem,
} from '../sales/index.ts';
import { maskValue } from './masking.ts';
import { timelineSources } from './timeline-sources.ts';

/**
 * The profile 360 timeline (R1.3): the person's events merged with what the CRM knows about the
 * customer the profile is linked to (directly, or through a linked contact's customer).
 *
 * Every CRM part is read through the record engine as the viewer (customer360's scoped reader):
 * a record the viewer cannot see, and its audit rows, never reach the timeline.
 *
 * Other modules add their records through the `timeline-source` extension point (service tickets,
 * timeline-sources.ts), each reading as the viewer. The one customer page reads the same merge for
 * a customer (customerTimelinePage).
 */
export { TIMELINE_KINDS, type TimelineKind };

export interface ProfileTimelineItem {
  /** Unique within a profile's timeline. */
  key: string;
  kind: TimelineKind;
  at: string;
  /** Event name, or the CRM record's name. */
  title: string | null;
  /** Segment message type (track, page…), or the CRM action / activity type. */
  type: string;
  object?: string;
  recordId?: string;
  actor?: string | null;
  amount?: { amount: number; currency: string } | null;
  status?: string | null;
  changes?: unknown;
  properties?: Record<string, unknown>;
  comment?: string | null;
}

const MONEY = new Set(['order', 'payment', 'quote', 'contract']);
/** The kinds read from the CRM (the rest are events and other modules' sources). */
const CRM_KINDS = new Set<TimelineKind>(['activity', 'stage', 'money', 'crm']);

/**
 * Personal values inside event properties (identify carries traits) are masked: the timeline is a
 * cdp:read view; the full values are on the unmask path of the profile, which is audited.
 */
const PERSONAL_PROPS: [RegExp, string][] = [
  [/phone|mobile/i, 'phone'],
  [/email/i, 'email'],
  [/^name$|_name$|Name$/, 'name'],
  [/address/i, 'address'],
  [/id_?number|idcard/i, 'id_number'],
  [/openid|unionid|external_?userid/i, 'id'],
];
export function maskProperties(props: Record<string, unknown> | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props ?? {})) {
    const kind = PERSONAL_PROPS.find(([re]) => re.test(k))?.[1];
    out[k] =
      kind && typeof v === 'string'
        ? maskValue(kind, v)
        : kind && v !== null && typeof v === 'object'
          ? '***'
          : v;
  }
  return out;
}

export interface CrmLink {
  object: string;
  recordId: string;
  /** False when the viewer's record scope does not include the linked record. */
  visible: boolean;
  name: string | null;
  ownerId: string | null;
  ownerName: string | null;
  linkedAt: string;
  /** The customer a linked contact belongs to (when the viewer may see it). */
  customerId: string | null;
  customerName: string | null;
}

async function readAs(tx: Tx, principal: Principal, actor: Actor, object: string, id: string) {
  if (!can(principal, `${object}:read`)) return null;
  try {
    const rec = await getRecord(await recordCtx(tx, principal, actor, object), id);
    return rec.deletedAt ? null : rec;
  } catch {
    return null; // out of scope and missing look the same
  }
}

const display = (r: RecordOut, f: string) => (r._display as Record<string, string> | undefined)?.[f] ?? null;

/** The profile's CRM links as the viewer may see them; a contact resolves to its customer. */
export async function crmLinks(tx: Tx, principal: Principal, actor: Actor, profileId: string) {
  const rows = (
    await sql<{ object: string; record_id: string; linked_at: Date }>`select object, record_id, linked_at
      from cdp_profile_links where tenant_id = ${principal.tenantId} and profile_id = ${profileId} order by linked_at`.execute(
      tx,
    )
  ).rows;
  const out: CrmLink[] = [];
  for (const l of rows) {
    const rec = await readAs(tx, principal, actor, l.object, l.record_id);
    const customerId = l.object === 'customer' ? l.record_id : ((rec?.customerId as string | null) ?? null);
    const customer =
      l.object === 'customer'
        ? rec
        : customerId
          ? await readAs(tx, principal, actor, 'customer', customerId)
          : null;
    out.push({
      object: l.object,
      recordId: l.record_id,
      visible: !!rec,
      name: rec ? ((rec.name as string | null) ?? null) : null,
      ownerId: rec ? ((rec.ownerId as string | null) ?? null) : null,
      ownerName: rec ? display(rec, 'ownerId') : null,
      linkedAt: new Date(l.linked_at).toISOString(),
      customerId: customer ? customerId : null,
      customerName: customer ? ((customer.name as string | null) ?? null) : null,
    });
  }
  return out;
}

function fromCrm(item: TimelineItem, lists: CustomerLists): ProfileTimelineItem {
  const base = {
    key: `${item.kind}:${item.recordId}:${item.action}:${item.at}`,
    at: item.at,
    title: item.recordName,
    type: item.action,
    object: item.object,
    recordId: item.recordId,
    actor: item.actor,
    ...(item.kind === 'approval'
      ? { comment: (item.summary.comment as string | null | undefined) ?? null }
      : {}),
  };
  if (item.kind === 'activity') return { ...base, key: `activity:${item.recordId}`, kind: 'activity' };
  if (item.kind === 'stage_change') return { ...base, kind: 'stage', changes: item.summary.changes };
  if (MONEY.has(item.object)) {
    const list = {
      order: lists.orders,
      payment: lists.payments,
      quote: lists.quotes,
      contract: lists.contracts,
    }[item.object as 'order'];
    const rec = list.items.find((r) => r.id === item.recordId);
    const amount = (rec?.amount ?? rec?.total ?? null) as ProfileTimelineItem['amount'];
    return {
      ...base,
      kind: 'money',
      amount,
      status: (rec?.status as string | null) ?? null,
      changes: item.kind === 'status_change' ? item.summary.changes : undefined,
    };
  }
  return { ...base, kind: 'crm' };
}

/** Everything CRM for the profile (bounded: customer360 reads at most 200 audit rows per customer). */
async function crmItems(tx: Tx, principal: Principal, actor: Actor, links: CrmLink[]) {
  const items: ProfileTimelineItem[] = [];
  const seen = new Set<string>();
  for (const l of links) {
    if (l.customerId && !seen.has(l.customerId)) {
      seen.add(l.customerId);
      const lists = await customerLists(tx, principal, actor, l.customerId);
      for (const i of await crmTimeline(tx, principal, actor, l.customerId, l.customerName, lists))
        items.push(fromCrm(i, lists));
    } else if (l.object === 'contact' && l.visible && !l.customerId) {
      // A contact without a (visible) customer: its own history only.
      const rows = (
        await sql<{ id: string; at: Date; action: string; actor_name: string | null }>`
          select a.id, a.at, a.action, u.name as actor_name from audit_log a
          left join users u on u.tenant_id = a.tenant_id and u.id = a.actor_id
          where a.tenant_id = ${principal.tenantId} and a.record_id = ${l.recordId} and a.action not in ('unmask', 'export')
          order by a.id desc limit 100`.execute(tx)
      ).rows;
      for (const a of rows)
        items.push({
          key: `crm:${a.id}`,
          kind: 'crm',
          at: new Date(a.at).toISOString(),
          title: l.name,
          type: a.action,
          object: 'contact',
          recordId: l.recordId,
          actor: a.actor_name,
        });
    }
  }
  return items;
}

export interface TimelinePage {
  items: ProfileTimelineItem[];
  /** Pass as `before` for the next page; null at the end. */
  next: string | null;
}

/**
 * One page of the timeline, newest first, items strictly older than `before`. A page never
 * splits items sharing a timestamp, so paging by time alone loses and repeats nothing.
 */
export async function profileTimeline(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  profileId: string,
  opts: { before?: string; kinds?: TimelineKind[]; limit: number; links?: CrmLink[] },
): Promise<TimelinePage> {
  const links =
    opts.links ??
    ((opts.kinds?.length ? opts.kinds : TIMELINE_KINDS).some((k) => k !== 'event')
      ? await crmLinks(tx, principal, actor, profileId)
      : []);
  return timelineOf(tx, principal, actor, [profileId], links, opts);
}

/**
 * The one customer page's timeline: the events of every profile linked to the customer (only for
 * a viewer holding cdp:read) merged with the customer's CRM history as the viewer may see it.
 */
export async function customerTimelinePage(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  customer: { id: string; name: string | null },
  profileIds: string[],
  opts: { before?: string; kinds?: TimelineKind[]; limit: number },
): Promise<TimelinePage> {
  const link: CrmLink = {
    object: 'customer',
    recordId: customer.id,
    visible: true,
    name: customer.name,
    ownerId: null,
    ownerName: null,
    linkedAt: new Date(0).toISOString(),
    customerId: customer.id,
    customerName: customer.name,
  };
  return timelineOf(tx, principal, actor, can(principal, 'cdp:read') ? profileIds : [], [link], opts);
}

async function timelineOf(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  profileIds: string[],
  links: CrmLink[],
  opts: { before?: string; kinds?: TimelineKind[]; limit: number },
): Promise<TimelinePage> {
  const kinds = new Set(opts.kinds?.length ? opts.kinds : TIMELINE_KINDS);
  const before = opts.before ? new Date(opts.before) : null;
  const tenantId = principal.tenantId;
  const limit = opts.limit;
  let events: ProfileTimelineItem[] = [];
  let eventsCut: string | null = null;
  if (kinds.has('event') && profileIds.length) {
    const q = (extra: ReturnType<typeof sql>, n: number) =>
      sql<{
        id: string;
        ts: Date;
        type: string;
        event: string | null;
        properties: Record<string, unknown>;
      }>`select e.id, e.ts, e.type, e.event, e.properties from cdp_events e
        join cdp_identities i on i.tenant_id = e.tenant_id and i.kind = e.ident_kind and i.namespace = '' and i.value = e.ident
        where e.tenant_id = ${tenantId} and i.profile_id = any(${profileIds}::uuid[]) and i.kind in ('user_id', 'anonymous_id') ${extra}
        order by e.ts desc, e.id desc limit ${n}`.execute(tx);
    const rows = (await q(before ? sql`and e.ts < ${before}` : sql``, limit)).rows;
    if (rows.length === limit) {
      // Events sharing the oldest timestamp of this batch all belong to the page.
      const last = rows[rows.length - 1]!.ts;
      eventsCut = new Date(last).toISOString();
      const ids = new Set(rows.map((r) => r.id));
      for (const r of (await q(sql`and e.ts = ${last}`, 1000)).rows) if (!ids.has(r.id)) rows.push(r);
    }
    events = rows.map((e) => ({
      key: `event:${e.id}`,
      kind: 'event',
      at: new Date(e.ts).toISOString(),
      title: e.event,
      type: e.type,
      properties: maskProperties(e.properties),
    }));
  }
  const wantsCrm = [...kinds].some((k) => CRM_KINDS.has(k));
  const crm = wantsCrm
    ? (await crmItems(tx, principal, actor, links)).filter(
        (i) => kinds.has(i.kind) && (!before || +new Date(i.at) < +before),
      )
    : [];
  // Other modules' records (service tickets): each source answers at most `limit`; a full answer
  // may have more behind it, like the events.
  const others: ProfileTimelineItem[] = [];
  let othersCut = false;
  const customerIds = [...new Set(links.flatMap((l) => (l.customerId ? [l.customerId] : [])))];
  for (const source of timelineSources()) {
    if (!kinds.has(source.kind)) continue;
    const got = await source.items(tx, principal, actor, { profileIds, customerIds, before, limit });
    if (got.length >= limit) othersCut = true;
    others.push(...got);
  }
  const all = [...events, ...crm, ...others].sort((a, b) =>
    a.at < b.at ? 1 : a.at > b.at ? -1 : a.key < b.key ? 1 : -1,
  );
  let n = Math.min(limit, all.length);
  while (n < all.length && all[n]!.at === all[n - 1]!.at) n++;
  const page = all.slice(0, n);
  const more = n < all.length || ((eventsCut !== null || othersCut) && page.length > 0);
  return { items: page, next: more && page.length ? page[page.length - 1]!.at : null };
}

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { cdpKeys } from './cdp-keys';

export type Scalar = string | number | boolean;
export type Rule =
  | { and: Rule[] }
  | { or: Rule[] }
  | { not: Rule }
  | { trait: string; op: string; value?: Scalar | Scalar[]; days?: number }
  | { tag: string; op?: string; value?: Scalar }
  | {
      event: string;
      where?: { prop: string; op: string; value?: Scalar }[];
      withinDays: number;
      agg?: 'count' | 'sum';
      property?: string;
      op: string;
      value: number;
    }
  | { crm: 'contact' | 'customer'; field: string; op: string; value?: Scalar; days?: number };

export interface Source {
  id: string;
  name: string;
  kind: string;
  keyPrefix: string;
  enabled: boolean;
  createdAt: string;
  lastEventAt: string | null;
  writeKey?: string;
}
export interface DebugView {
  events: {
    id: string;
    type: string;
    event: string | null;
    messageId: string;
    userId: string | null;
    anonymousId: string | null;
    timestamp: string;
    receivedAt: string;
    raw: unknown;
  }[];
  errors: {
    seq: number;
    at: string;
    type: string | null;
    messageId: string | null;
    reason: string;
    payload: unknown;
  }[];
}
/** How a person reads in lists (server-chosen name or masked identity; else anonymous · source · first seen). */
export interface PersonLabel {
  name: string | null;
  anonymous: boolean;
  source: string | null;
  firstSeenAt: string | null;
}
export interface ProfileRow {
  id: string;
  name: string | null;
  label: PersonLabel;
  /** `kind:value`, the first few (personal values masked unless profile:unmask). */
  identities: string[];
  identityCount: number;
  tagCount: number;
  segmentCount: number;
  links: { object: string; recordId: string; visible: boolean; name: string | null }[];
  firstSeenAt: string;
  lastSeenAt: string;
}
export interface ProfileFilter {
  q?: string;
  segment?: string;
  tag?: string;
  linked?: boolean;
}
/** A cursor page; `total` only on a page asked with count (estimated when totalExact is false). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
  totalExact?: boolean;
}
export interface Merge {
  id: string;
  at: string;
  targetId: string;
  sourceId: string;
  targetLabel: PersonLabel | null;
  sourceLabel: PersonLabel | null;
  reason: string;
  evidence: { identity: { kind: string; value: string } | null; messageId: string | null };
  splitAt: string | null;
}
export interface Profile360 {
  id: string;
  requestedId: string;
  label: PersonLabel;
  traits: Record<string, unknown>;
  _masked: string[];
  firstSeenAt: string;
  lastSeenAt: string;
  identities: { id: string; kind: string; namespace: string | null; value: string; firstSeenAt: string }[];
  tags: {
    id: string;
    key: string;
    name: string;
    kind: string;
    value: unknown;
    setAt: string;
    setBy: string | null;
    setByName: string | null;
    reason: string | null;
  }[];
  segments: { id: string; name: string; purpose: string; enteredAt: string }[];
  consents: { purpose: string; granted: boolean; source: string | null; at: string }[];
  links: CrmLink[];
  merges: Merge[];
  timeline: TimelineItem[];
  timelineNext: string | null;
}
export interface CrmLink {
  object: string;
  recordId: string;
  visible: boolean;
  name: string | null;
  ownerId: string | null;
  ownerName: string | null;
  linkedAt: string;
  customerId: string | null;
  customerName: string | null;
}
export const TIMELINE_KINDS = ['event', 'activity', 'money', 'stage', 'crm', 'service'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];
export interface TimelineItem {
  key: string;
  kind: TimelineKind;
  at: string;
  title: string | null;
  type: string;
  object?: string;
  recordId?: string;
  actor?: string | null;
  amount?: { amount: number; currency: string } | null;
  status?: string | null;
  changes?: { field: string; from?: unknown; to?: unknown }[];
  properties?: Record<string, unknown>;
  /** Events: the catalogue's name (浏览商品 for Product Viewed). */
  displayName?: string;
  /** Events: property key → its catalogue name, for named keys. */
  propertyNames?: Record<string, string>;
  /** An approval decision's comment. */
  comment?: string | null;
}
export interface TagGroup {
  id: string;
  name: string;
  description: string | null;
  tagCount: number;
}
export interface Tag {
  id: string;
  key: string;
  name: string;
  kind: string;
  object: string;
  groupId: string | null;
  description: string | null;
  ownerId: string | null;
  ownerName: string | null;
  rule: Rule | null;
  config: Record<string, unknown>;
  lineage: string[];
  usedBy: { kind: 'tag' | 'segment'; id: string; name: string }[];
  coverage: number;
  backfill: { status: string; total: number | null; done: number } | null;
}
export interface Segment {
  id: string;
  name: string;
  description: string | null;
  object: string;
  purpose: string;
  rule: Rule;
  memberCount: number;
  computedAt: string | null;
}

export const useSources = () =>
  useQuery({
    queryKey: cdpKeys.sources.list(),
    queryFn: () => http.get<{ items: Source[] }>('/cdp/sources'),
  });
export const useDebug = (id: string | null) =>
  useQuery({
    queryKey: cdpKeys.sources.debug(id),
    queryFn: () => http.get<DebugView>(`/cdp/sources/${id}/debug`),
    enabled: !!id,
    refetchInterval: 2000,
  });
const PAGE_SIZE = 50;
/** Profiles in cursor pages ("load more"); the first page also asks for the total. */
export const useProfilePages = (f: ProfileFilter) =>
  useInfiniteQuery({
    queryKey: cdpKeys.profiles.list(f),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      http.get<Page<ProfileRow>>('/cdp/profiles', {
        ...f,
        limit: PAGE_SIZE,
        cursor: pageParam,
        count: pageParam ? undefined : true,
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
export const useProfile = (id: string) =>
  useQuery({
    queryKey: cdpKeys.profiles.detail(id),
    queryFn: () => http.get<Profile360>(`/cdp/profiles/${id}`),
    refetchInterval: 5000,
  });
export const useMergePages = (f: { split?: boolean }) =>
  useInfiniteQuery({
    queryKey: cdpKeys.merges.list(f),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      http.get<Page<Merge>>('/cdp/merges', {
        ...f,
        limit: PAGE_SIZE,
        cursor: pageParam,
        count: pageParam ? undefined : true,
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
export const useTags = () =>
  useQuery({
    queryKey: cdpKeys.tags.list(),
    queryFn: () => http.get<{ items: Tag[]; groups: TagGroup[] }>('/cdp/tags'),
    // Backfill progress is polled fast while a job runs; coverage stays live at a slower pace.
    refetchInterval: (q) =>
      q.state.data?.items.some((t) => t.backfill && t.backfill.status !== 'done') ? 1000 : 10_000,
  });
export const useSegments = () =>
  useQuery({
    queryKey: cdpKeys.segments.list(),
    queryFn: () => http.get<{ items: Segment[] }>('/cdp/segments'),
  });
export const useSegment = (id: string) =>
  useQuery({
    queryKey: cdpKeys.segments.detail(id),
    queryFn: () => http.get<Segment>(`/cdp/segments/${id}`),
    refetchInterval: 3000,
  });
export const useSegmentHistory = (id: string) =>
  useQuery({
    queryKey: cdpKeys.segments.history(id),
    queryFn: () =>
      http.get<{ items: { day: string; entered: number; exited: number; members: number }[] }>(
        `/cdp/segments/${id}/history`,
      ),
    refetchInterval: 5000,
  });
export const useSegmentMembers = (id: string) =>
  useQuery({
    queryKey: cdpKeys.segments.members(id),
    queryFn: () =>
      http.get<{
        items: {
          id: string;
          name: string | null;
          phone?: string | null;
          email?: string | null;
          /** Record segments: false for a member outside the viewer's data scope. */
          visible?: boolean;
          enteredAt: string;
        }[];
      }>(`/cdp/segments/${id}/members`, { limit: 100 }),
    refetchInterval: 3000,
  });

/** Whose timeline: a profile's, or a customer's (the events of its people with its CRM history). */
export type TimelineSource = { profileId: string } | { customerId: string };

/** The timeline in pages ("load more"), filtered by kind on the server so paging stays exact. */
export const useTimeline = (source: TimelineSource, kinds: TimelineKind[]) => {
  const url =
    'customerId' in source
      ? `/cdp/customers/${source.customerId}/timeline`
      : `/cdp/profiles/${source.profileId}/timeline`;
  return useInfiniteQuery({
    queryKey:
      'customerId' in source
        ? cdpKeys.customers.timeline(source.customerId, kinds)
        : cdpKeys.profiles.timeline(source.profileId, kinds),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      http.get<{ items: TimelineItem[]; next: string | null }>(url, {
        limit: 50,
        kinds: kinds.join(','),
        ...(pageParam ? { before: pageParam } : {}),
      }),
    getNextPageParam: (last) => last.next,
    enabled: kinds.length > 0,
  });
};

/** The people of a customer (profiles linked to it or its contacts) and the first one's 360 view. */
export interface CustomerProfiles {
  customerId: string;
  profiles: { id: string; label: PersonLabel; via: 'customer' | 'contact' }[];
  profile: Profile360 | null;
}
export const useCustomerProfiles = (customerId: string, enabled: boolean) =>
  useQuery({
    queryKey: cdpKeys.customers.profile(customerId),
    queryFn: () => http.get<CustomerProfiles>(`/cdp/customers/${customerId}/profile`),
    enabled,
  });

/** Event names the tenant has received, for the builder's pickers. */
export const useEventNames = () =>
  useQuery({
    queryKey: cdpKeys.events.names(),
    queryFn: () =>
      http.get<{ items: { name: string; count: number; displayName?: string; kind?: string }[] }>(
        '/cdp/event-names',
      ),
    staleTime: 60_000,
  });

/** `event` (track), `page` (page and screen views) or `crm` (sent by a business system). */
export type EventKind = 'event' | 'page' | 'crm';
export const EVENT_KINDS: EventKind[] = ['page', 'event', 'crm'];
export interface LocalLabel {
  'zh-CN'?: string;
  'en-US'?: string;
}
export interface CatalogueProperty {
  key: string;
  label: LocalLabel;
  displayName: string;
}
export interface CatalogueEntry {
  name: string;
  kind: EventKind;
  label: LocalLabel;
  displayName: string;
  description: string | null;
  properties: CatalogueProperty[];
  standard: boolean;
  edited: boolean;
  count: number;
  lastAt: string | null;
}
export interface EventCatalogue {
  items: CatalogueEntry[];
  properties: CatalogueProperty[];
}
export const useEventCatalogue = () =>
  useQuery({
    queryKey: cdpKeys.events.catalogue(),
    queryFn: () => http.get<EventCatalogue>('/cdp/event-catalogue'),
    staleTime: 60_000,
  });

/** A label in the reader's language, else the other one, else the name as sent. */
export const pickLabel = (label: LocalLabel | undefined, lang: string, fallback: string) => {
  const l = lang === 'en-US' ? 'en-US' : 'zh-CN';
  return label?.[l] || label?.[l === 'en-US' ? 'zh-CN' : 'en-US'] || fallback;
};

/** Names people read for events and their properties (from the catalogue; raw names until it loads). */
export interface EventWords {
  event: (name: string) => string;
  prop: (event: string | null, key: string) => string;
  kind: (name: string) => EventKind | undefined;
}
export function eventWords(cat: EventCatalogue | undefined, lang: string): EventWords {
  const byName = new Map((cat?.items ?? []).map((e) => [e.name, e]));
  const std = new Map((cat?.properties ?? []).map((p) => [p.key, p]));
  return {
    event: (name) => pickLabel(byName.get(name)?.label, lang, name),
    prop: (event, key) => {
      const own = event ? byName.get(event)?.properties.find((p) => p.key === key) : undefined;
      return pickLabel(own?.label, lang, pickLabel(std.get(key)?.label, lang, key));
    },
    kind: (name) => byName.get(name)?.kind,
  };
}

/** The catalogue's words for events and properties in the UI language. */
export function useEventWords(): EventWords {
  const { i18n } = useTranslation();
  const cat = useEventCatalogue();
  return useMemo(() => eventWords(cat.data, i18n.language), [cat.data, i18n.language]);
}

export const useTagHistory = (id: string) =>
  useQuery({
    queryKey: cdpKeys.tags.history(id),
    queryFn: () => http.get<{ items: { day: string; members: number }[] }>(`/cdp/tags/${id}/history`),
  });

export const useSourceVolume = (id: string | null, by: 'day' | 'hour') =>
  useQuery({
    queryKey: cdpKeys.sources.volume(id ?? '', by),
    queryFn: () =>
      http.get<{ by: string; items: { bucket: string; type: string; n: number }[] }>(
        `/cdp/sources/${id}/volume`,
        { by },
      ),
    enabled: !!id,
  });
export const useEventProperties = (event: string | undefined) =>
  useQuery({
    queryKey: cdpKeys.events.properties(event),
    queryFn: () =>
      http.get<{
        items: { key: string; types: string[]; count: number; examples: string[]; displayName?: string }[];
      }>('/cdp/event-properties', { event: event! }),
    enabled: !!event,
    staleTime: 60_000,
  });

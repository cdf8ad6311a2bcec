import { useQuery } from '@tanstack/react-query';
import { http } from '../../app/api-client';

export type Scalar = string | number | boolean;
export type Rule =
  | { and: Rule[] }
  | { or: Rule[] }
  | { not: Rule }
  | { trait: string; op: string; value?: Scalar | Scalar[] }
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
  | { crm: 'contact' | 'customer'; field: string; op: string; value?: Scalar };

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
export interface ProfileRow {
  id: string;
  name: string | null;
  identities: string[];
  firstSeenAt: string;
  lastSeenAt: string;
}
export interface Merge {
  id: string;
  at: string;
  targetId: string;
  sourceId: string;
  reason: string;
  evidence: { identity: { kind: string; value: string } | null; messageId: string | null };
  splitAt: string | null;
}
export interface Profile360 {
  id: string;
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
    reason: string;
  }[];
  segments: { id: string; name: string; purpose: string; enteredAt: string }[];
  consents: { purpose: string; granted: boolean; source: string | null; at: string }[];
  links: {
    object: string;
    recordId: string;
    name: string | null;
    ownerName: string | null;
    linkedAt: string;
  }[];
  merges: Merge[];
  timeline: { kind: 'event' | 'crm'; at: string; type: string; title: string; id: string; actor?: string }[];
}
export interface Tag {
  id: string;
  key: string;
  name: string;
  kind: string;
  object: string;
  groupId: string | null;
  description: string | null;
  rule: Rule | null;
  config: Record<string, unknown>;
  lineage: string[];
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
  useQuery({ queryKey: ['cdp', 'sources'], queryFn: () => http.get<{ items: Source[] }>('/cdp/sources') });
export const useDebug = (id: string | null) =>
  useQuery({
    queryKey: ['cdp', 'debug', id],
    queryFn: () => http.get<DebugView>(`/cdp/sources/${id}/debug`),
    enabled: !!id,
    refetchInterval: 2000,
  });
export const useProfiles = (q: string) =>
  useQuery({
    queryKey: ['cdp', 'profiles', q],
    queryFn: () => http.get<{ items: ProfileRow[] }>('/cdp/profiles', { q, limit: 100 }),
  });
export const useProfile = (id: string) =>
  useQuery({
    queryKey: ['cdp', 'profile', id],
    queryFn: () => http.get<Profile360>(`/cdp/profiles/${id}`),
    refetchInterval: 5000,
  });
export const useMerges = () =>
  useQuery({ queryKey: ['cdp', 'merges'], queryFn: () => http.get<{ items: Merge[] }>('/cdp/merges') });
export const useTags = () =>
  useQuery({
    queryKey: ['cdp', 'tags'],
    queryFn: () => http.get<{ items: Tag[]; groups: { id: string; name: string }[] }>('/cdp/tags'),
    // Backfill progress is polled while a job runs.
    refetchInterval: (q) =>
      q.state.data?.items.some((t) => t.backfill && t.backfill.status !== 'done') ? 1000 : false,
  });
export const useSegments = () =>
  useQuery({ queryKey: ['cdp', 'segments'], queryFn: () => http.get<{ items: Segment[] }>('/cdp/segments') });
export const useSegment = (id: string) =>
  useQuery({
    queryKey: ['cdp', 'segment', id],
    queryFn: () => http.get<Segment>(`/cdp/segments/${id}`),
    refetchInterval: 3000,
  });
export const useSegmentHistory = (id: string) =>
  useQuery({
    queryKey: ['cdp', 'segment', id, 'history'],
    queryFn: () =>
      http.get<{ items: { day: string; entered: number; exited: number; members: number }[] }>(
        `/cdp/segments/${id}/history`,
      ),
    refetchInterval: 5000,
  });
export const useSegmentMembers = (id: string) =>
  useQuery({
    queryKey: ['cdp', 'segment', id, 'members'],
    queryFn: () =>
      http.get<{
        items: {
          id: string;
          name: string | null;
          phone: string | null;
          email: string | null;
          enteredAt: string;
        }[];
      }>(`/cdp/segments/${id}/members`, { limit: 100 }),
    refetchInterval: 3000,
  });

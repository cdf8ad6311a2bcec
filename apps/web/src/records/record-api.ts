import type { RecordData } from '@kehu/contracts/common';
import type { RecordPage } from '@kehu/contracts/records';
import { http, type QueryValue } from '../shared/api-client';
import type { FilterNode } from './filter-model';

export type { RecordData } from '@kehu/contracts/common';
export type ListResponse = RecordPage;

export interface ListParams {
  filter?: FilterNode | null;
  sort?: string | null;
  limit?: number;
  cursor?: string | null;
  count?: boolean;
  q?: string | null;
  unit?: string | null;
  deleted?: boolean;
}

export function listQuery(p: ListParams): Record<string, QueryValue> {
  return {
    filter: p.filter ? JSON.stringify(p.filter) : undefined,
    sort: p.sort ?? undefined,
    limit: p.limit,
    cursor: p.cursor ?? undefined,
    count: p.count ? 'true' : undefined,
    q: p.q?.trim() || undefined,
    unit: p.unit ?? undefined,
    deleted: p.deleted ? 'true' : undefined,
  };
}

const enc = encodeURIComponent;

export const recordApi = {
  list: (object: string, p: ListParams) => http.get<ListResponse>(`/records/${enc(object)}`, listQuery(p)),
  get: (object: string, id: string) => http.get<RecordData>(`/records/${enc(object)}/${enc(id)}`),
  create: (object: string, body: Record<string, unknown>) =>
    http.post<RecordData>(`/records/${enc(object)}`, body),
  update: (object: string, id: string, body: Record<string, unknown>) =>
    http.patch<RecordData>(`/records/${enc(object)}/${enc(id)}`, body),
  remove: (object: string, id: string) => http.del<void>(`/records/${enc(object)}/${enc(id)}`),
  restore: (object: string, id: string) =>
    http.post<RecordData>(`/records/${enc(object)}/${enc(id)}/restore`),
  unmask: (object: string, id: string, field: string) =>
    http.post<{ value: unknown }>(`/records/${enc(object)}/${enc(id)}/unmask`, { field }),
  timeline: (object: string, id: string) =>
    http.get<{ items: TimelineEntry[] }>(`/records/${enc(object)}/${enc(id)}/timeline`),
  bulk: (
    object: string,
    body: { op: 'create' | 'update' | 'delete'; atomic: boolean; records: Record<string, unknown>[] },
  ) => http.post<{ results: BulkResult[] }>(`/records/${enc(object)}/bulk`, body),
};

export interface BulkResult {
  index: number;
  ok: boolean;
  id?: string;
  error?: { message?: string; code?: string } | string;
  code?: string;
  message?: string;
}

export interface TimelineEntry {
  id: string;
  at: string;
  action: string;
  actor: { id: string; name: string } | null;
  changes?: Array<{ field: string; from: unknown; to: unknown; fromDisplay?: string; toDisplay?: string }>;
  /** What the module recorded beside the changes (e.g. the SOP item ticked). */
  meta?: unknown;
}

import type { LeadInbox, LeadPool, LeadRecord } from '@kehu/contracts/leads';
import { useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useCallback } from 'react';
import { normalizeOptions, useLabel, useObjectMeta } from '../../app/meta';
import { http } from '../../shared/api-client';
import { leadsKeys } from './leads-keys';

export type { Duplicate, InboxLead, LeadStatus } from '@kehu/contracts/leads';
/** A lead as the record engine sends it to this viewer: the fields it may see, masked ones as strings. */
export type Lead = LeadRecord;
export type Inbox = LeadInbox;
export type Pool = LeadPool;

/**
 * A lead field read as text. The record engine leaves hidden fields out and sends masked ones as
 * strings, so the contract types lead values as unknown and the pages read them through here.
 */
export const fieldText = (v: unknown): string | null =>
  v === null || v === undefined || v === '' ? null : String(v);

/** The score, unless it is hidden or masked from this viewer. */
export const leadScore = (l: LeadRecord): number | null => (typeof l.score === 'number' ? l.score : null);

/** One line of the "why this score" list the scorer stores on the lead (a JSON field). */
export interface ScoreReason {
  key: string;
  label: Record<string, string>;
  impact: number;
}
export const scoreReasons = (l: LeadRecord): ScoreReason[] =>
  Array.isArray(l.scoreReasons) ? (l.scoreReasons as unknown[]).filter(isScoreReason) : [];
const isScoreReason = (r: unknown): r is ScoreReason =>
  typeof r === 'object' &&
  r !== null &&
  typeof (r as { key?: unknown }).key === 'string' &&
  typeof (r as { impact?: unknown }).impact === 'number' &&
  typeof (r as { label?: unknown }).label === 'object';

export const useInbox = () =>
  useQuery({
    queryKey: leadsKeys.inbox(),
    queryFn: () => http.get<Inbox>('/leads/inbox'),
    refetchInterval: 30_000,
  });

export const usePool = () =>
  useQuery({ queryKey: leadsKeys.pool(), queryFn: () => http.get<Pool>('/leads/pool') });

export const useLead = (id: string) =>
  useQuery({ queryKey: leadsKeys.lead.detail(id), queryFn: () => http.get<Lead>(`/records/lead/${id}`) });

/** "12 分钟" / "1 小时 5 分" style durations; negative values are shown as their magnitude. */
export function humanDuration(seconds: number, lang: string): string {
  const s = Math.abs(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.max(0, Math.floor((s % 3600) / 60));
  const zh = lang.startsWith('zh');
  if (d > 0) return zh ? `${d} 天 ${h} 小时` : `${d}d ${h}h`;
  if (h > 0) return zh ? `${h} 小时 ${m} 分` : `${h}h ${m}m`;
  if (m > 0) return zh ? `${m} 分钟` : `${m} min`;
  return zh ? `${Math.floor(s)} 秒` : `${Math.floor(s)} s`;
}

/** Picklist value → label in the UI language, from the lead object's metadata. */
export function useLeadOptionLabel(): (field: string, value: unknown) => string {
  const meta = useObjectMeta('lead');
  const label = useLabel();
  return useCallback(
    (field: string, value: unknown) => {
      if (value === null || value === undefined || value === '') return '-';
      const f = meta.data?.fields.find((x) => x.apiName === field);
      const opt = normalizeOptions(f?.options ?? null).find((o) => o.value === value);
      return opt ? label(opt.label, String(value)) : String(value);
    },
    [meta.data, label],
  );
}

/** The app's date format (2026-11-23 14:05, local time), not the browser locale's. */
export const localTime = (v: string | null | undefined): string =>
  v ? dayjs(v).format('YYYY-MM-DD HH:mm') : '-';

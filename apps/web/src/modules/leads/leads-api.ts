import { useQuery } from '@tanstack/react-query';
import dayjs from 'dayjs';
import { useCallback } from 'react';
import { normalizeOptions, useLabel, useObjectMeta } from '../../app/meta';
import { http } from '../../shared/api-client';

export type LeadStatus = 'new' | 'contacted' | 'qualified' | 'converted' | 'disqualified' | 'pooled';

export interface ScoreReason {
  key: string;
  label: Record<string, string>;
  impact: number;
  value: unknown;
}

export interface Lead {
  id: string;
  version: number;
  name: string;
  company: string | null;
  phone: string | null;
  email: string | null;
  title: string | null;
  channel: string | null;
  campaign: string | null;
  industry: string | null;
  region: string | null;
  status: LeadStatus;
  statusReason: string | null;
  score: number | null;
  scoreReasons: ScoreReason[] | null;
  scoreSource: 'scorecard' | 'model' | null;
  firstResponseDueAt: string | null;
  firstRespondedAt: string | null;
  slaBreached: boolean;
  lastActivityAt: string | null;
  pooledAt: string | null;
  duplicateOfId: string | null;
  duplicateOfObject: 'lead' | 'customer' | null;
  convertedCustomerId: string | null;
  convertedOpportunityId: string | null;
  ownerId: string | null;
  unitId: string;
  createdAt: string;
  tags: string[] | null;
  _display?: Record<string, string>;
}

export interface InboxLead extends Lead {
  overdue: boolean;
  dueInSeconds: number | null;
  nextFollowUpAt: string | null;
  followUpOverdue: boolean;
}

export interface Inbox {
  items: InboxLead[];
  counts: { open: number; overdue: number; waiting: number };
  serverTime: string;
}

export interface Pool {
  items: Lead[];
  nextCursor: string | null;
  limits: { claimPerDay: number; maxHeld: number; reclaimDays: number; claimedToday: number; held: number };
}

export const useInbox = () =>
  useQuery({
    queryKey: ['leads', 'inbox'],
    queryFn: () => http.get<Inbox>('/leads/inbox'),
    refetchInterval: 30_000,
  });

export const usePool = () =>
  useQuery({ queryKey: ['leads', 'pool'], queryFn: () => http.get<Pool>('/leads/pool') });

export const useLead = (id: string) =>
  useQuery({ queryKey: ['leads', 'lead', id], queryFn: () => http.get<Lead>(`/records/lead/${id}`) });

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

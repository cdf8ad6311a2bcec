import { useQuery } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

/** Shape of GET /me/today; a section is absent when the user has no right to it. */
export type Money = { amount: number; currency: string } | null;
export type Label = Record<string, string> | null;

export interface TodayLead {
  id: string;
  name: string | null;
  company: string | null;
  status: string;
  statusLabel: Label;
  score: number | null;
  firstResponseDueAt: string | null;
  firstRespondedAt: string | null;
  overdue: boolean;
  dueInSeconds: number | null;
  nextFollowUpAt: string | null;
  followUpOverdue: boolean;
}

export interface Today {
  serverTime: string;
  period: string;
  role: 'sales' | 'manager' | 'other';
  leads?: { open: number; breached: number; dueSoon: number; later: number; items: TodayLead[] };
  followUps?: {
    total: number;
    more: boolean;
    items: {
      id: string;
      subject: string | null;
      type: string | null;
      typeLabel: Label;
      dueAt: string | null;
      overdue: boolean;
      leadId: string | null;
      leadName: string | null;
      customerId: string | null;
      customerName: string | null;
    }[];
  };
  closingDeals?: {
    count: number;
    more: boolean;
    amount: number;
    currency: string;
    items: {
      id: string;
      name: string | null;
      customerName: string | null;
      amount: Money;
      stage: string | null;
      stageLabel: Label;
      probability: number | null;
      expectedCloseDate: string | null;
    }[];
  };
  pendingQuotes?: {
    total: number;
    more: boolean;
    items: {
      id: string;
      name: string | null;
      customerName: string | null;
      total: Money;
      discountPercent: number | null;
      updatedAt: string | null;
    }[];
  };
  target?: {
    period: string;
    target: null | {
      id: string;
      name: string | null;
      basis: string;
      targetAmount: Money;
      targetCount: number | null;
      actualAmount: number;
      actualCount: number;
      amountRate: number | null;
      countRate: number | null;
      forecastAmount: number;
    };
  };
  approvals?: {
    pending: number;
    items: {
      id: string;
      object: string;
      recordId: string;
      recordName: string | null;
      requester: string | null;
      stepName: Label | string;
      createdAt: string;
    }[];
  };
  teamSla?: {
    breachedToday: number;
    more: boolean;
    items: {
      id: string;
      name: string | null;
      company: string | null;
      ownerName: string | null;
      firstResponseDueAt: string | null;
    }[];
  };
  teamPipeline?: {
    period: string;
    won: number;
    weighted: number;
    open: number;
    commit: number;
    forecast: number;
  };
  notifications: {
    unread: number;
    items: {
      id: string;
      kind: string;
      title: string;
      body: string | null;
      link: string | null;
      readAt: string | null;
      createdAt: string;
    }[];
  };
}

export const TODAY_KEY = ['me', 'today'] as const;

export function useToday() {
  return useQuery({
    queryKey: TODAY_KEY,
    queryFn: () => http.get<Today>('/me/today'),
    // SLA countdowns tick locally; the lists themselves refresh every minute.
    refetchInterval: 60_000,
  });
}

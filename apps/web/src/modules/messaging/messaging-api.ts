import type { MessageLogItem } from '@kehu/contracts/messaging';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { MessageLogItem };
export type Channel = 'sms' | 'email' | 'webhook' | 'in_app' | 'wecom_private' | 'wecom_mass';
export const CHANNELS: Channel[] = ['sms', 'email', 'wecom_private', 'wecom_mass', 'in_app', 'webhook'];
export const STATUSES = ['queued', 'deferred', 'sent', 'delivered', 'skipped', 'failed'] as const;
export const REASONS = [
  'no_consent',
  'unsubscribed',
  'no_address',
  'undeliverable',
  'staff_deleted',
  'wecom_monthly_cap',
  'frequency_cap',
  'quiet_hours',
] as const;

export interface LogFilter {
  channel?: string;
  status?: string;
  reason?: string;
  profileId?: string;
  object?: string;
  recordId?: string;
}

export const useMessagePages = (f: LogFilter, enabled = true) =>
  useInfiniteQuery({
    queryKey: ['messaging', 'log', f],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      http.get<{ items: MessageLogItem[]; nextBefore: string | null }>('/messaging/messages', {
        ...f,
        limit: 50,
        before: pageParam ?? undefined,
      }),
    getNextPageParam: (last) => last.nextBefore ?? undefined,
    enabled,
  });

export interface Stats {
  days: string[];
  series: { status: string; counts: number[] }[];
  byReason: { reason: string; count: number }[];
}
export const useStats = () =>
  useQuery({
    queryKey: ['messaging', 'stats'],
    queryFn: () => http.get<Stats>('/messaging/stats', { days: 14 }),
  });

export interface TemplateVariant {
  segmentId: string;
  subject?: string | null;
  body: string;
  url?: string | null;
}
export interface Template {
  id: string;
  name: string;
  channel: Channel;
  subject?: string | null;
  body: string;
  url?: string | null;
  providerCode?: string | null;
  variants?: TemplateVariant[];
  variables: string[];
  updatedAt: string;
}
export type TemplateInput = Omit<Template, 'id' | 'variables' | 'updatedAt'>;

export const useTemplates = () =>
  useQuery({
    queryKey: ['messaging', 'templates'],
    queryFn: () => http.get<{ items: Template[] }>('/messaging/templates'),
  });

export function useSaveTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: TemplateInput }) =>
      id
        ? http.put<Template>(`/messaging/templates/${id}`, input)
        : http.post<Template>('/messaging/templates', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['messaging', 'templates'] }),
  });
}
export function useDeleteTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => http.del(`/messaging/templates/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['messaging', 'templates'] }),
  });
}

export interface Preview {
  subject: string | null;
  text: string;
  url: string | null;
  segmentId: string | null;
  html?: string | null;
}
export const previewTemplate = (
  id: string,
  body: { profileId: string; segmentId?: string | null; variables?: Record<string, string> },
) => http.post<Preview>(`/messaging/templates/${id}/preview`, body);

export const useSegments = () =>
  useQuery({
    queryKey: ['messaging', 'segments'],
    queryFn: () => http.get<{ items: Array<{ id: string; name: string }> }>('/cdp/segments'),
    staleTime: 60_000,
  });

export interface ProfileOption {
  id: string;
  name: string | null;
  identities: string[];
}
export const searchProfiles = (q: string) =>
  http.get<{ items: ProfileOption[] }>('/cdp/profiles', { q: q || undefined, limit: 20 });

export interface Settings {
  timeZone?: string;
  quietStart: string | null;
  quietEnd: string | null;
  caps: Array<{ channel: string; purpose: string; max: number; days: number }>;
  webhookUrl: string | null;
}
export interface SmsAccount {
  endpoint: string;
  accessKeyId: string | null;
  signName: string | null;
  textTemplate: string | null;
  configured: boolean;
  receiptUrlSet: boolean;
}
export interface EmailAccount {
  host: string | null;
  port: number | null;
  security: 'tls' | 'starttls' | 'none';
  user: string | null;
  from: string | null;
  bounceAddress: string | null;
  configured: boolean;
  passwordSet: boolean;
  bounceHookSet: boolean;
}
export const useSettings = () =>
  useQuery({ queryKey: ['messaging', 'settings'], queryFn: () => http.get<Settings>('/messaging/settings') });
export const useSmsAccount = () =>
  useQuery({ queryKey: ['messaging', 'sms'], queryFn: () => http.get<SmsAccount>('/messaging/sms-account') });
export const useEmailAccount = () =>
  useQuery({
    queryKey: ['messaging', 'email'],
    queryFn: () => http.get<EmailAccount>('/messaging/email-account'),
  });

export const saveSettings = (s: Settings & { rotateSecret?: boolean }) =>
  http.put<Settings & { webhookSecret?: string }>('/messaging/settings', s);
export const saveSms = (s: Record<string, unknown>) =>
  http.put<SmsAccount & { receiptUrl: string }>('/messaging/sms-account', s);
export const saveEmail = (s: Record<string, unknown>) =>
  http.put<EmailAccount & { bounceHookUrl: string }>('/messaging/email-account', s);
export const testSend = (channel: 'sms' | 'email' | 'webhook', to?: string) =>
  http.post<{ ok: boolean; error: string | null }>('/messaging/test-send', { channel, to });

export interface BulkSend {
  id: string;
  status: 'running' | 'done';
  total: number;
  processed: number;
  queued: number;
  skipped: number;
}
export const startBulkSend = (body: {
  templateId: string;
  segmentId: string;
  purpose: 'marketing' | 'service';
  variables?: Record<string, string>;
  idempotencyKey: string;
}) => http.post<BulkSend>('/messaging/bulk-sends', body);
export const bulkSendProgress = (id: string) => http.get<BulkSend>(`/messaging/bulk-sends/${id}`);

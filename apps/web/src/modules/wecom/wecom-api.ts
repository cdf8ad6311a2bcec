import type {
  ChannelCode,
  ChannelCodeList,
  ChannelCodeStats,
  CorpList,
  CreatedCorp,
  ExternalContactList,
  StaffList,
} from '@kehu/contracts/wecom';
import { useQuery } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { ChannelCode, CreatedCorp };
export type Corp = CorpList['items'][number];
export type Staff = StaffList['items'][number];
export type ExternalContact = ExternalContactList['items'][number];

/** Every react-query key of the WeCom pages. */
export const wecomKeys = {
  all: ['wecom'] as const,
  corps: () => ['wecom', 'corps'] as const,
  staff: (corp: string | null) => ['wecom', 'staff', corp] as const,
  codes: () => ['wecom', 'codes'] as const,
  stats: (id: string | null) => ['wecom', 'code-stats', id] as const,
  contacts: (q: unknown) => ['wecom', 'contacts', q] as const,
};

export const CODE_CHANNELS = [
  'wecom',
  'exhibition',
  'ad',
  'referral',
  'walk_in',
  'call_center',
  'other',
] as const;

export const useCorps = () =>
  useQuery({ queryKey: wecomKeys.corps(), queryFn: () => http.get<CorpList>('/wecom/corps') });
export const useStaff = (corp: string | null) =>
  useQuery({
    queryKey: wecomKeys.staff(corp),
    queryFn: () => http.get<StaffList>(`/wecom/corps/${corp}/staff`),
    enabled: !!corp,
  });
export const useCodes = () =>
  useQuery({ queryKey: wecomKeys.codes(), queryFn: () => http.get<ChannelCodeList>('/wecom/codes') });
export const useCodeStats = (id: string | null) =>
  useQuery({
    queryKey: wecomKeys.stats(id),
    queryFn: () => http.get<ChannelCodeStats>(`/wecom/codes/${id}/stats`),
    enabled: !!id,
  });
export const useContacts = (q: { status?: string }) =>
  useQuery({
    queryKey: wecomKeys.contacts(q),
    queryFn: () => http.get<ExternalContactList>('/wecom/contacts', q),
    refetchInterval: 5000,
  });

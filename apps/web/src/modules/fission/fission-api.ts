import type { Campaign, CampaignInput, CampaignPatch, FunnelReport } from '@kehu/contracts/fission';
import { useQuery } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export { REWARD_TYPES, TASK_KINDS } from '@kehu/contracts/fission';
export type { Campaign, CampaignInput, CampaignPatch, FunnelReport };

export const fissionKeys = {
  all: ['fission'] as const,
  list: ['fission', 'list'] as const,
  one: (id: string) => ['fission', 'one', id] as const,
  report: (id: string) => ['fission', 'report', id] as const,
};

export const useCampaigns = () =>
  useQuery({
    queryKey: fissionKeys.list,
    queryFn: () => http.get<{ items: Campaign[] }>('/fission/campaigns'),
  });
export const useCampaign = (id: string) =>
  useQuery({ queryKey: fissionKeys.one(id), queryFn: () => http.get<Campaign>(`/fission/campaigns/${id}`) });
export const useFunnel = (id: string) =>
  useQuery({
    queryKey: fissionKeys.report(id),
    queryFn: () => http.get<FunnelReport>(`/fission/campaigns/${id}/report`),
    refetchInterval: 30_000,
  });
export const useCorps = () =>
  useQuery({
    queryKey: ['wecom', 'corps'],
    queryFn: () => http.get<{ items: Array<{ id: string; name: string }> }>('/wecom/corps'),
  });
export const useCorpStaff = (corpRef: string | undefined) =>
  useQuery({
    queryKey: ['wecom', 'staff', corpRef],
    enabled: Boolean(corpRef),
    queryFn: () =>
      http.get<{ items: Array<{ userid: string; name: string; active: boolean }> }>(
        `/wecom/corps/${corpRef}/staff`,
      ),
  });
export const usePosters = () =>
  useQuery({
    queryKey: ['materials', 'list', { kind: 'poster' }],
    queryFn: () =>
      http.get<{ items: Array<{ id: string; title: string }> }>('/materials', { kind: 'poster' }),
  });
export const useCorpGroups = (corpRef: string | undefined, enabled: boolean) =>
  useQuery({
    queryKey: ['wecom', 'groups', { corpRef }],
    enabled: Boolean(corpRef) && enabled,
    queryFn: () =>
      http.get<{ items: Array<{ chatId: string; name: string; memberCount?: number }> }>('/wecom/groups', {
        corpRef: corpRef!,
      }),
  });
/** Coupon templates the caller sees (only asked for when the reward is a coupon). */
export const useCouponTemplates = (enabled: boolean) =>
  useQuery({
    queryKey: ['coupons', 'templates'],
    enabled,
    queryFn: () =>
      http.get<{ items: Array<{ id: string; name: string; status: string }> }>('/coupon-templates'),
  });
export const createCampaign = (input: CampaignInput) => http.post<Campaign>('/fission/campaigns', input);
export const updateCampaign = (id: string, input: CampaignPatch) =>
  http.patch<Campaign>(`/fission/campaigns/${id}`, input);
export const endCampaign = (id: string) => http.del<void>(`/fission/campaigns/${id}`);

import type {
  MallSettings,
  MallSettingsPatch,
  MemberAnalytics,
  Redemption,
  RedemptionAction,
  RedemptionStatus,
  Reward,
  RewardInput,
  RewardPatch,
} from '@kehu/contracts/member-mall';
import { useQuery } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export { REDEMPTION_STATUSES, REWARD_KINDS } from '@kehu/contracts/member-mall';
export type { MallSettings, MemberAnalytics, Redemption, RedemptionStatus, Reward, RewardInput };

export const mallKeys = {
  all: ['member-mall'] as const,
  rewards: ['member-mall', 'rewards'] as const,
  redemptions: (q: object) => ['member-mall', 'redemptions', q] as const,
  settings: ['member-mall', 'settings'] as const,
  analytics: ['member-mall', 'analytics'] as const,
  referrals: ['member-mall', 'referrals'] as const,
};

export const useRewards = () =>
  useQuery({
    queryKey: mallKeys.rewards,
    queryFn: () => http.get<{ items: Reward[] }>('/member-mall/rewards'),
  });
export const useRedemptions = (q: { status?: RedemptionStatus; limit: number; offset: number }) =>
  useQuery({
    queryKey: mallKeys.redemptions(q),
    queryFn: () => http.get<{ items: Redemption[]; total: number }>('/member-mall/redemptions', q),
  });
export const useMallSettings = () =>
  useQuery({ queryKey: mallKeys.settings, queryFn: () => http.get<MallSettings>('/member-mall/settings') });
export const useMemberAnalytics = () =>
  useQuery({
    queryKey: mallKeys.analytics,
    queryFn: () => http.get<MemberAnalytics>('/member-mall/analytics'),
    refetchInterval: 60_000,
  });
export const useReferrals = () =>
  useQuery({
    queryKey: mallKeys.referrals,
    queryFn: () =>
      http.get<{ registered: number; rewarded: number; refused: number; items: unknown[] }>(
        '/member-mall/referrals',
      ),
  });
export const useCouponTemplates = () =>
  useQuery({
    queryKey: ['coupons', 'templates'],
    queryFn: () => http.get<{ items: Array<{ id: string; name: string }> }>('/coupon-templates'),
  });

export const usePrograms = () =>
  useQuery({
    queryKey: ['loyalty', 'programs'],
    queryFn: () => http.get<{ items: Array<{ id: string; name: string }> }>('/loyalty/programs'),
  });

export const createReward = (input: RewardInput) => http.post<Reward>('/member-mall/rewards', input);
export const updateReward = (id: string, input: RewardPatch) =>
  http.patch<Reward>(`/member-mall/rewards/${id}`, input);
export const deleteReward = (id: string) => http.del<void>(`/member-mall/rewards/${id}`);
export const actOn = (id: string, a: RedemptionAction) =>
  http.post<Redemption>(`/member-mall/redemptions/${id}/actions`, a);
export const saveSettings = (p: MallSettingsPatch) => http.patch<MallSettings>('/member-mall/settings', p);

import type {
  BulkIssue,
  Coupon,
  CouponTemplate,
  CouponTemplateInput,
  CouponTemplatePatch,
  CouponTemplateStats,
} from '@kehu/contracts/coupons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { BulkIssue, Coupon, CouponTemplate, CouponTemplateStats };

export const useTemplates = () =>
  useQuery({
    queryKey: ['coupons', 'templates'],
    queryFn: () => http.get<{ items: CouponTemplate[] }>('/coupon-templates'),
  });

export const useStats = (id: string | null) =>
  useQuery({
    queryKey: ['coupons', 'stats', id],
    queryFn: () => http.get<CouponTemplateStats>(`/coupon-templates/${id}/stats`),
    enabled: !!id,
  });

export function useSaveTemplate() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: CouponTemplateInput | CouponTemplatePatch }) =>
      id
        ? http.patch<CouponTemplate>(`/coupon-templates/${id}`, input)
        : http.post<CouponTemplate>('/coupon-templates', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['coupons'] }),
  });
}

export const issueOne = (id: string, profileId: string) =>
  http.post<{ couponId: string; code: string }>(`/coupon-templates/${id}/issue`, {
    profileId,
    idempotencyKey: `web:${id}:${profileId}:${Date.now()}`,
  });
export const issueToSegment = (id: string, segmentId: string) =>
  http.post<BulkIssue>(`/coupon-templates/${id}/bulk-issues`, { segmentId });
export const bulkProgress = (id: string) => http.get<BulkIssue>(`/coupon-bulk-issues/${id}`);
export const lookup = (code: string) => http.get<Coupon>('/coupons/lookup', { code });
export const redeem = (code: string, orderAmountMinor?: number) =>
  http.post<Coupon>('/coupons/redeem', { code, channel: 'pos', orderAmountMinor });

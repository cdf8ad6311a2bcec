import type {
  AcquisitionLink,
  AcquisitionLinkList,
  AcquisitionQuota,
} from '@kehu/contracts/wecom-acquisition';
import { useQuery } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { AcquisitionLink };

export const acquisitionKeys = {
  links: () => ['wecom', 'acquisition-links'] as const,
  daily: (id: string | null) => ['wecom', 'acquisition-daily', id] as const,
  quota: (corp: string | null) => ['wecom', 'acquisition-quota', corp] as const,
};

export const useAcquisitionLinks = () =>
  useQuery({
    queryKey: acquisitionKeys.links(),
    queryFn: () => http.get<AcquisitionLinkList>('/wecom/acquisition-links'),
  });
export const useAcquisitionDaily = (id: string | null) =>
  useQuery({
    queryKey: acquisitionKeys.daily(id),
    queryFn: () =>
      http.get<{ items: Array<{ day: string; adds: number }> }>(`/wecom/acquisition-links/${id}/daily`),
    enabled: !!id,
  });
export const useAcquisitionQuota = (corp: string | null) =>
  useQuery({
    queryKey: acquisitionKeys.quota(corp),
    queryFn: () => http.get<AcquisitionQuota>(`/wecom/corps/${corp}/acquisition-quota`),
    enabled: !!corp,
    retry: false,
  });

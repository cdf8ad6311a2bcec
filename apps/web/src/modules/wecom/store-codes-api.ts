import type { StoreCode, StoreCodeDaily, StoreCodeList } from '@kehu/contracts/wecom-store-codes';
import { useQuery } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { StoreCode };

export const storeCodeKeys = {
  list: () => ['wecom', 'store-codes'] as const,
  daily: (id: string | null) => ['wecom', 'store-code-daily', id] as const,
};

export const useStoreCodes = () =>
  useQuery({ queryKey: storeCodeKeys.list(), queryFn: () => http.get<StoreCodeList>('/wecom/store-codes') });
export const useStoreCodeDaily = (id: string | null) =>
  useQuery({
    queryKey: storeCodeKeys.daily(id),
    queryFn: () => http.get<StoreCodeDaily>(`/wecom/store-codes/${id}/daily`),
    enabled: !!id,
  });

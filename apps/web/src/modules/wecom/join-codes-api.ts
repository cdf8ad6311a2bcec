import type { JoinCode, JoinCodeDaily, JoinCodeList } from '@kehu/contracts/wecom-join-codes';
import { useQuery } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { JoinCode };

export const joinCodeKeys = {
  list: () => ['wecom', 'join-codes'] as const,
  one: (id: string) => ['wecom', 'join-code', id] as const,
  daily: (id: string | null) => ['wecom', 'join-code-daily', id] as const,
};

export const useJoinCodes = () =>
  useQuery({ queryKey: joinCodeKeys.list(), queryFn: () => http.get<JoinCodeList>('/wecom/join-codes') });
export const useJoinCode = (id: string) =>
  useQuery({ queryKey: joinCodeKeys.one(id), queryFn: () => http.get<JoinCode>(`/wecom/join-codes/${id}`) });
export const useJoinCodeDaily = (id: string | null) =>
  useQuery({
    queryKey: joinCodeKeys.daily(id),
    queryFn: () => http.get<JoinCodeDaily>(`/wecom/join-codes/${id}/daily`),
    enabled: !!id,
  });

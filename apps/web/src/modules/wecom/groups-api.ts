import type { ActivityReport, GroupDetail, GroupList } from '@kehu/contracts/wecom-groups';
import { useQuery } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { ActivityReport, GroupDetail };
export type GroupSummary = GroupList['items'][number];
export type ActivityRow = ActivityReport['rows'][number];

export const groupKeys = {
  groups: (status: string) => ['wecom', 'groups', status] as const,
  group: (id: string) => ['wecom', 'group', id] as const,
  activity: (days: number) => ['wecom', 'activity', days] as const,
};

export const useGroups = (status: string) =>
  useQuery({
    queryKey: groupKeys.groups(status),
    queryFn: () => http.get<GroupList>(`/wecom/groups${status ? `?status=${status}` : ''}`),
  });
export const useGroup = (id: string) =>
  useQuery({ queryKey: groupKeys.group(id), queryFn: () => http.get<GroupDetail>(`/wecom/groups/${id}`) });
export const useActivity = (days: number) =>
  useQuery({
    queryKey: groupKeys.activity(days),
    queryFn: () => http.get<ActivityReport>(`/wecom/activity?days=${days}`),
  });

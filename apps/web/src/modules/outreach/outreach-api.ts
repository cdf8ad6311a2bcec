import type { MassMessage, MassMessageDetail, MassMessageInput, SopTask } from '@kehu/contracts/outreach';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { MassMessage, MassMessageDetail, SopTask };

export const outreachKeys = {
  messages: ['outreach', 'messages'] as const,
  message: (id: string) => ['outreach', 'message', id] as const,
  myTasks: ['outreach', 'sop', 'mine'] as const,
  rules: ['outreach', 'sop', 'rules'] as const,
  completion: ['outreach', 'sop', 'completion'] as const,
};

export const useMessages = () =>
  useQuery({
    queryKey: outreachKeys.messages,
    queryFn: () => http.get<{ items: MassMessage[] }>('/outreach/messages'),
  });
export const useMessage = (id: string) =>
  useQuery({
    queryKey: outreachKeys.message(id),
    queryFn: () => http.get<MassMessageDetail>(`/outreach/messages/${id}`),
  });

export function usePlan() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: Partial<MassMessageInput>) => http.post<MassMessageDetail>('/outreach/messages', body),
    onSuccess: (m) => {
      qc.setQueryData(outreachKeys.message(m.id), m);
      qc.invalidateQueries({ queryKey: outreachKeys.messages });
    },
  });
}

/** send / refresh / cancel: each answers the message as it now stands. */
export function useMessageAction(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (action: 'send' | 'refresh' | 'cancel') =>
      http.post<MassMessageDetail>(`/outreach/messages/${id}/${action}`),
    onSuccess: (m) => {
      qc.setQueryData(outreachKeys.message(id), m);
      qc.invalidateQueries({ queryKey: outreachKeys.messages });
    },
  });
}

export const useCorps = () =>
  useQuery({
    queryKey: ['wecom', 'corps'],
    queryFn: () => http.get<{ items: Array<{ id: string; name: string }> }>('/wecom/corps'),
  });
export const useSegments = () =>
  useQuery({
    queryKey: ['cdp', 'segments', 'profile'],
    queryFn: () => http.get<{ items: Array<{ id: string; name: string; object?: string }> }>('/cdp/segments'),
  });
export const useTags = () =>
  useQuery({
    queryKey: ['cdp', 'tags', 'catalogue'],
    queryFn: () => http.get<{ items: Array<{ id: string; name: string; object?: string }> }>('/cdp/tags'),
  });

export const useMySopTasks = (target?: string) =>
  useQuery({
    queryKey: [...outreachKeys.myTasks, target ?? ''],
    queryFn: () =>
      http.get<{ items: SopTask[] }>('/outreach/sop/tasks/mine', target ? { target } : undefined),
  });
export function useCloseSopTask() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { id: string; how: 'done' | 'sent' }) =>
      http.post<SopTask>(`/outreach/sop/tasks/${v.id}/${v.how}`),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: outreachKeys.myTasks });
      qc.invalidateQueries({ queryKey: outreachKeys.completion });
    },
  });
}
export const useSopRules = () =>
  useQuery({
    queryKey: outreachKeys.rules,
    queryFn: () => http.get<{ items: Array<any> }>('/outreach/sop/rules'),
  });
export function useCreateSopRule() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: unknown) => http.post('/outreach/sop/rules', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['outreach', 'sop'] }),
  });
}
export const useSopCompletion = () =>
  useQuery({
    queryKey: outreachKeys.completion,
    queryFn: () =>
      http.get<{
        items: Array<{
          userId: string | null;
          name: string;
          total: number;
          done: number;
          overdue: number;
          rate: number;
        }>;
      }>('/outreach/sop/completion'),
  });

/** Opportunity stages (sales pipelines) an SOP can start on; open stages only, each key once. */
export const usePipelineStages = (enabled: boolean) =>
  useQuery({
    queryKey: ['sales', 'pipelines'],
    enabled,
    queryFn: () =>
      http.get<{
        items: Array<{
          id: string;
          stages: Array<{ key: string; kind: string; label: Record<string, string> }>;
        }>;
      }>('/pipelines'),
  });

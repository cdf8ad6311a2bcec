import type {
  Application,
  ApplicationList,
  Onboarded,
  RecruitmentForm,
  TaskDetail,
  TaskList,
  UnitTask,
  UnitTaskList,
} from '@kehu/contracts/dealer-network';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import type { z } from 'zod';
import { ApiError, http } from '../../shared/api-client';

export type ApplicationT = z.infer<typeof Application>;
export type ApplicationRow = z.infer<typeof ApplicationList>['items'][number];
export type TaskDetailT = z.infer<typeof TaskDetail>;
export type TaskRow = z.infer<typeof TaskList>['items'][number];
export type UnitTaskT = z.infer<typeof UnitTask>;

const KEY = ['dealer-network'] as const;

export const useApplications = (stage?: string) =>
  useQuery({
    queryKey: [...KEY, 'applications', stage],
    queryFn: () => http.get<z.infer<typeof ApplicationList>>('/recruitment/applications', { stage }),
  });
export const useApplication = (id: string) =>
  useQuery({
    queryKey: [...KEY, 'application', id],
    queryFn: () => http.get<ApplicationT>(`/recruitment/applications/${id}`),
  });
export const useRecruitmentForm = (enabled: boolean) =>
  useQuery({
    queryKey: [...KEY, 'form'],
    queryFn: () => http.get<z.infer<typeof RecruitmentForm>>('/recruitment/form'),
    enabled,
  });
/** The roles the caller may see (admins); onboarding offers them. */
export const useRoles = (enabled: boolean) =>
  useQuery({
    queryKey: [...KEY, 'roles'],
    queryFn: () => http.get<{ items: { id: string; name: string }[] }>('/admin/roles'),
    enabled,
    retry: false,
  });
export const useTasks = () =>
  useQuery({ queryKey: [...KEY, 'tasks'], queryFn: () => http.get<z.infer<typeof TaskList>>('/hq-tasks') });
export const useTask = (id: string | null) =>
  useQuery({
    queryKey: [...KEY, 'task', id],
    queryFn: () => http.get<TaskDetailT>(`/hq-tasks/${id}`),
    enabled: !!id,
  });
export const useUnitTasks = (status: string) =>
  useQuery({
    queryKey: [...KEY, 'unit-tasks', status],
    queryFn: () => http.get<z.infer<typeof UnitTaskList>>('/unit-tasks', { status }),
  });

/** Every mutation here refreshes every view of the module. */
export function useNetworkMutation<V, R>(fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: KEY }) });
}

export const rotateForm = () => http.post<z.infer<typeof RecruitmentForm>>('/recruitment/form', {});
export const addNote = (id: string, text: string) =>
  http.post<ApplicationT>(`/recruitment/applications/${id}/notes`, { text });
export const moveStage = (
  id: string,
  body: {
    version: number;
    to: 'reviewing' | 'rejected' | 'contract';
    unitId?: string;
    reason?: string;
    contractNo?: string;
  },
) => http.post<ApplicationT>(`/recruitment/applications/${id}/stage`, body);
export const requestApproval = (id: string, version: number) =>
  http.post<ApplicationT>(`/recruitment/applications/${id}/approval`, { version });
export const onboard = (
  id: string,
  body: {
    version: number;
    branchUnitId: string;
    adminLogin: string;
    roleId: string;
    unitName?: string;
    unitCode?: string;
  },
) => http.post<z.infer<typeof Onboarded>>(`/recruitment/applications/${id}/onboard`, body);
export const createTask = (body: Record<string, unknown>) => http.post<TaskDetailT>('/hq-tasks', body);
export const remind = (id: string) => http.post<{ reminded: number }>(`/hq-tasks/${id}/remind`, {});
export const complete = (
  targetId: string,
  body: { version: number; text?: string; checked?: boolean; photo?: string },
) => http.post<UnitTaskT>(`/unit-tasks/${targetId}/complete`, body);

/** Field messages of a failed request, else its detail. */
export function problemLines(e: unknown): string[] {
  if (e instanceof ApiError) {
    const msgs = (e.problem.errors ?? []).map((x) => x.message).filter(Boolean) as string[];
    return msgs.length ? msgs : [e.problem.detail || e.problem.title || e.message];
  }
  return [e instanceof Error ? e.message : String(e)];
}

/** A File as base64 (no data: prefix), for the JSON upload bodies. */
export const fileBase64 = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(',')[1] ?? '');
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });

export const STAGE_COLOR: Record<string, string> = {
  new: 'blue',
  reviewing: 'processing',
  pending_approval: 'gold',
  qualified: 'cyan',
  rejected: 'default',
  contract: 'purple',
  onboarded: 'green',
};

/** "3 天 5 小时" from hours. */
export const age = (h: number, t: TFunction) =>
  h >= 24 ? t('dnw.age.days', { d: Math.floor(h / 24), h: h % 24 }) : t('dnw.age.hours', { h });

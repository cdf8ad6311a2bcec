import type {
  Adjustment,
  MemberDetail,
  MemberRow,
  Program,
  ProgramInput,
  ProgramPatch,
} from '@kehu/contracts/loyalty';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { Adjustment, MemberDetail, MemberRow, Program };

export const usePrograms = () =>
  useQuery({
    queryKey: ['loyalty', 'programs'],
    queryFn: () => http.get<{ items: Program[] }>('/loyalty/programs'),
  });

export function useSaveProgram() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: ProgramInput | ProgramPatch }) =>
      id
        ? http.patch<Program>(`/loyalty/programs/${id}`, input)
        : http.post<Program>('/loyalty/programs', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['loyalty'] }),
  });
}

export interface MemberFilter {
  programId?: string;
  tierId?: string;
  unitId?: string;
  q?: string;
  cursor?: string;
}

export const useMembers = (f: MemberFilter) =>
  useQuery({
    queryKey: ['loyalty', 'members', f],
    queryFn: () =>
      http.get<{ items: MemberRow[]; nextCursor: string | null }>('/loyalty/members', {
        ...Object.fromEntries(Object.entries(f).filter(([, v]) => v)),
        limit: '50',
      }),
  });

export const useMember = (id: string) =>
  useQuery({
    queryKey: ['loyalty', 'member', id],
    queryFn: () => http.get<MemberDetail>(`/loyalty/members/${id}`),
  });

export function useAdjust(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { points: number; reason: string; idempotencyKey: string }) =>
      http.post<Adjustment>(`/loyalty/members/${id}/adjustments`, input),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['loyalty'] }),
  });
}

export function useTransfer(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { toMemberNo: string; points: number; idempotencyKey: string }) =>
      http.post(`/loyalty/members/${id}/transfers`, input),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['loyalty'] }),
  });
}

import type { ScriptCategories, ScriptInput, ScriptList, ScriptPatch } from '@kehu/contracts/scripts';
import type { SidebarSuggestions } from '@kehu/contracts/sidebar';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { Script, ScriptCategory } from '@kehu/contracts/scripts';

export function useScripts(q: { q?: string; categoryId?: string | null }) {
  return useQuery({
    queryKey: ['scripts', 'list', q.q ?? '', q.categoryId ?? null],
    queryFn: () =>
      http.get<ScriptList>('/scripts', {
        q: q.q || undefined,
        categoryId: q.categoryId ?? undefined,
        limit: 200,
      }),
  });
}

export function useRecommended(
  q: { customerId?: string; profileId?: string; opportunityId?: string },
  enabled = true,
) {
  return useQuery({
    queryKey: ['scripts', 'recommended', q],
    queryFn: () => http.get<ScriptList>('/scripts/recommended', { ...q, limit: 5 }),
    enabled,
  });
}

export function useCategories() {
  return useQuery({
    queryKey: ['scripts', 'categories'],
    queryFn: () => http.get<ScriptCategories>('/script-categories'),
  });
}

export function useSaveScript() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id?: string; input: ScriptInput | ScriptPatch }) =>
      id ? http.patch(`/scripts/${id}`, input) : http.post('/scripts', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['scripts'] }),
  });
}

export function useDeleteScript() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => http.del(`/scripts/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['scripts'] }),
  });
}

export function useCreateCategory() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; parentId?: string | null }) => http.post('/script-categories', input),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['scripts', 'categories'] }),
  });
}

/** The sidebar calls this after sending, so usage counts stay true. */
export const reportUse = (id: string) => http.post(`/scripts/${id}/uses`, {});

/** Reply suggestions for the customer in the open WeCom chat (their latest message to the caller). */
export function useChatSuggestions(externalUserId: string | null) {
  return useQuery({
    queryKey: ['scripts', 'suggestions', 'chat', externalUserId],
    queryFn: () =>
      http.get<SidebarSuggestions>(`/sidebar/contact/${encodeURIComponent(externalUserId!)}/suggestions`),
    enabled: !!externalUserId,
  });
}

/** Reply suggestions for a message (the chat archive's conversation view). */
export function useTextSuggestions(text: string | null) {
  return useQuery({
    queryKey: ['scripts', 'suggestions', 'text', text],
    queryFn: () => http.post<ScriptList>('/scripts/suggest', { text }),
    enabled: !!text,
  });
}

import type { SidebarContact, SidebarGroup } from '@kehu/contracts/sidebar';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { SidebarContact, SidebarGroup };

export const sidebarKeys = {
  contact: (ext: string) => ['sidebar', 'contact', ext] as const,
  group: (chatId: string) => ['sidebar', 'group', chatId] as const,
};

export const useSidebarContact = (ext: string) =>
  useQuery({
    queryKey: sidebarKeys.contact(ext),
    queryFn: () => http.get<SidebarContact>(`/sidebar/contact/${encodeURIComponent(ext)}`),
    retry: false,
  });

export const useSidebarGroup = (chatId: string) =>
  useQuery({
    queryKey: sidebarKeys.group(chatId),
    queryFn: () => http.get<SidebarGroup>(`/sidebar/group/${encodeURIComponent(chatId)}`),
    retry: false,
  });

export function useToggleTag(ext: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: { tagId: string; on: boolean }) =>
      http.post<SidebarContact>(`/sidebar/contact/${encodeURIComponent(ext)}/tags`, v),
    onSuccess: (data) => qc.setQueryData(sidebarKeys.contact(ext), data),
  });
}

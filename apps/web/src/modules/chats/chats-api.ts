import type {
  ArchiveSettings,
  ArchiveSettingsInput,
  ChatAlert,
  ChatRule,
  ChatRuleInput,
  Conversation,
  ReplyFigures,
} from '@kehu/contracts/chats';
import { useQuery } from '@tanstack/react-query';
import { asItems, http } from '../../shared/api-client';

export interface ChatLine {
  msgid: string;
  msgtime: string;
  msgtype: string;
  direction: 'in' | 'out' | 'other';
  content: string | null;
}

export const chatKeys = {
  all: ['chats'] as const,
  conversations: (q: string) => ['chats', 'conversations', q] as const,
  messages: (c: Conversation) => ['chats', 'messages', c.corpRef, c.staffUserid, c.externalUserid] as const,
  alerts: (status: string) => ['chats', 'alerts', status] as const,
  figures: (days: number) => ['chats', 'figures', days] as const,
  rules: ['chats', 'rules'] as const,
  settings: (corpRef: string) => ['chats', 'settings', corpRef] as const,
  corps: ['chats', 'corps'] as const,
};

export const chatsApi = {
  conversations: (q: string) =>
    http
      .get<unknown>(`/chats/conversations${q ? `?q=${encodeURIComponent(q)}` : ''}`)
      .then((d) => asItems<Conversation>(d)),
  messages: (c: Conversation) =>
    http
      .get<unknown>(
        `/chats/conversations/${c.corpRef}/${encodeURIComponent(c.staffUserid)}/${encodeURIComponent(c.externalUserid)}`,
      )
      .then((d) => asItems<ChatLine>(d)),
  alerts: (status: string) =>
    http.get<unknown>(`/chats/alerts${status ? `?status=${status}` : ''}`).then((d) => asItems<ChatAlert>(d)),
  closeAlert: (id: string) => http.post(`/chats/alerts/${id}/close`),
  figures: (days: number) =>
    http.get<unknown>(`/chats/reply-figures?days=${days}`).then((d) => asItems<ReplyFigures>(d)),
  rules: () => http.get<unknown>('/chats/rules').then((d) => asItems<ChatRule>(d)),
  saveRule: (id: string | null, body: ChatRuleInput) =>
    id ? http.put<ChatRule>(`/chats/rules/${id}`, body) : http.post<ChatRule>('/chats/rules', body),
  deleteRule: (id: string) => http.del(`/chats/rules/${id}`),
  /** Hand-kept profile tags an auto-tag rule may set. */
  manualTags: () =>
    http
      .get<unknown>('/cdp/tags')
      .then((d) => asItems<{ id: string; name: string; kind: string; object?: string }>(d)),
  corps: () => http.get<unknown>('/wecom/corps').then((d) => asItems<{ id: string; name: string }>(d)),
  settings: (corpRef: string) => http.get<ArchiveSettings | null>(`/chats/settings/${corpRef}`),
  saveSettings: (corpRef: string, body: ArchiveSettingsInput) =>
    http.put<ArchiveSettings>(`/chats/settings/${corpRef}`, body),
  pull: (corpRef: string) => http.post<{ stored: number; alerts: number }>(`/chats/settings/${corpRef}/pull`),
};

export function useConversations(q: string) {
  return useQuery({ queryKey: chatKeys.conversations(q), queryFn: () => chatsApi.conversations(q) });
}

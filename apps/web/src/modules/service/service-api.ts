import type {
  Calendar,
  Category,
  KbArticle,
  SlaClock,
  SlaPolicy,
  SlaTier,
  TicketDetail,
  TicketSummary,
} from '@kehu/contracts/service';
import { useQuery } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { Calendar, Category, KbArticle, SlaClock, SlaPolicy, SlaTier, TicketDetail, TicketSummary };

export interface Agent {
  userId: string;
  userName: string;
  unitName: string | null;
  categoryKeys: string[];
  openTickets: number;
}
export interface ServiceStats {
  open: number;
  breached: number;
  mine: number;
  byStatus: { status: string; n: number }[];
  byCategory: { categoryKey: string; name: string | null; n: number }[];
}
export type KbItem = Omit<KbArticle, 'bodyHtml'> & { score?: number };

export const useCategories = () =>
  useQuery({
    queryKey: ['service', 'categories'],
    queryFn: () => http.get<{ items: Category[] }>('/service/categories'),
  });
export const useAgents = () =>
  useQuery({
    queryKey: ['service', 'agents'],
    queryFn: () => http.get<{ items: Agent[] }>('/service/agents'),
  });
/** Member tiers an SLA policy can target (loyalty's, through service's seam; empty without a program). */
export const useSlaTiers = () =>
  useQuery({
    queryKey: ['service', 'sla-tiers'],
    queryFn: () => http.get<{ items: SlaTier[] }>('/service/sla-tiers'),
  });
export const useStats = () =>
  useQuery({ queryKey: ['service', 'stats'], queryFn: () => http.get<ServiceStats>('/service/stats') });
export const useTicket = (id: string) =>
  useQuery({
    queryKey: ['service', 'ticket', id],
    queryFn: () => http.get<TicketDetail>(`/service/tickets/${id}`),
    refetchInterval: 60_000,
  });
export const useSuggestions = (id: string) =>
  useQuery({
    queryKey: ['service', 'suggest', id],
    queryFn: () => http.get<{ items: KbItem[] }>(`/service/tickets/${id}/suggestions`),
  });

/** "3 h 20 min" / "3小时20分" of business minutes. */
export function businessTime(minutes: number, lang: string): string {
  const m = Math.abs(Math.round(minutes));
  const h = Math.floor(m / 60);
  const r = m % 60;
  if (lang === 'en-US') return h ? `${h} h ${r} min` : `${r} min`;
  return h ? `${h}小时${r ? `${r}分` : ''}` : `${r}分钟`;
}

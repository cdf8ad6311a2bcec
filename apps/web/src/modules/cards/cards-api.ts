import type { CardInput, CardOut, CardVisit } from '@kehu/contracts/cards';
import { useQuery } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { CardInput, CardOut, CardVisit };

export const cardKeys = { me: ['cards', 'me'] as const, visits: ['cards', 'visits'] as const };

/** Figures refresh while the page is open (each visit also arrives as a real-time alert). */
export const useMyCard = () =>
  useQuery({ queryKey: cardKeys.me, queryFn: () => http.get<CardOut>('/cards/me'), refetchInterval: 15_000 });
export const useMyVisits = () =>
  useQuery({
    queryKey: cardKeys.visits,
    queryFn: () => http.get<{ items: CardVisit[] }>('/cards/me/visits'),
    refetchInterval: 15_000,
  });
export const useMaterialChoices = () =>
  useQuery({
    queryKey: ['materials', 'list', {}],
    queryFn: () => http.get<{ items: Array<{ id: string; title: string; kind: string }> }>('/materials'),
  });
export const saveCard = (input: CardInput) => http.put<CardOut>('/cards/me', input);
export const createCode = () => http.post<CardOut>('/cards/me/code');

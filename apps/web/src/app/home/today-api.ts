import type { Money as Amount, Label as Labelled } from '@kehu/contracts/common';
import type { Today } from '@kehu/contracts/home';
import { useQuery } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

/** GET /me/today; a section is absent when the user has no right to it. */
export type { Today } from '@kehu/contracts/home';
/** What the home cards format: a money figure or a label the server may not have. */
export type Money = Amount | null;
export type Label = Labelled | null;

export const TODAY_KEY = ['me', 'today'] as const;

export function useToday() {
  return useQuery({
    queryKey: TODAY_KEY,
    queryFn: () => http.get<Today>('/me/today'),
    // SLA countdowns tick locally; the lists themselves refresh every minute.
    refetchInterval: 60_000,
  });
}

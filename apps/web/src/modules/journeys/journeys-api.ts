import type {
  JourneyAnalytics,
  JourneyDefinition,
  JourneyDetail,
  JourneySummary,
} from '@kehu/contracts/journeys';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { JourneyAnalytics, JourneyDefinition, JourneyDetail, JourneySummary };

export const journeyKeys = {
  list: ['journeys'] as const,
  one: (id: string) => ['journeys', id] as const,
  analytics: (id: string) => ['journeys', id, 'analytics'] as const,
};

export const useJourneys = () =>
  useQuery({ queryKey: journeyKeys.list, queryFn: () => http.get<{ items: JourneySummary[] }>('/journeys') });
export const useJourney = (id: string) =>
  useQuery({ queryKey: journeyKeys.one(id), queryFn: () => http.get<JourneyDetail>(`/journeys/${id}`) });
export const useAnalytics = (id: string, enabled: boolean) =>
  useQuery({
    queryKey: journeyKeys.analytics(id),
    queryFn: () => http.get<JourneyAnalytics>(`/journeys/${id}/analytics`),
    enabled,
  });

export function useCreateJourney() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; definition: JourneyDefinition }) =>
      http.post<JourneyDetail>('/journeys', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: journeyKeys.list }),
  });
}

export function useJourneyAction(id: string) {
  const qc = useQueryClient();
  const done = (j: JourneyDetail) => {
    qc.setQueryData(journeyKeys.one(id), j);
    qc.invalidateQueries({ queryKey: journeyKeys.list });
  };
  return {
    save: useMutation({
      mutationFn: (body: { name: string; definition: JourneyDefinition }) =>
        http.put<JourneyDetail>(`/journeys/${id}/draft`, body),
      onSuccess: done,
    }),
    publish: useMutation({
      mutationFn: () => http.post<JourneyDetail>(`/journeys/${id}/publish`),
      onSuccess: done,
    }),
    status: useMutation({
      mutationFn: (status: 'paused' | 'live' | 'archived') =>
        http.post<JourneyDetail>(`/journeys/${id}/status`, { status }),
      onSuccess: done,
    }),
  };
}

/** A new journey's first draft: entered by hand, straight to the exit. */
export const starterDefinition = (): JourneyDefinition => ({
  trigger: { kind: 'manual' },
  graph: {
    nodes: [
      { id: 'entry', data: { kind: 'entry' }, position: { x: 0, y: 0 } },
      { id: 'exit', data: { kind: 'exit' }, position: { x: 0, y: 160 } },
    ],
    edges: [{ id: 'e-entry-exit', source: 'entry', target: 'exit', sourceHandle: 'next' }],
  },
  goal: null,
  reentry: { policy: 'never' },
  holdoutPercent: 0,
});

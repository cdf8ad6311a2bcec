import type {
  JourneyAnalytics,
  JourneyDefinition,
  JourneyDetail,
  JourneySummary,
  ProfileRun,
} from '@kehu/contracts/journeys';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { JourneyAnalytics, JourneyDefinition, JourneyDetail, JourneySummary };

export const journeyKeys = {
  list: ['journeys'] as const,
  one: (id: string) => ['journeys', id] as const,
  analytics: (id: string) => ['journeys', id, 'analytics'] as const,
  ofRecord: (object: string, id: string) => ['journeys', 'record', object, id] as const,
};

/** The journeys of the profile behind a record, with each step and skip reason (the record card). */
export const useRecordRuns = (object: string, id: string, enabled: boolean) =>
  useQuery({
    queryKey: journeyKeys.ofRecord(object, id),
    queryFn: () => http.get<{ items: ProfileRun[] }>(`/journeys/records/${object}/${id}/runs`),
    enabled,
    retry: false,
  });

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

/** Pickers of the step panel: what other modules offer, read through their APIs. */
interface Named {
  id: string;
  name: string;
}
export const usePickers = (enabled: boolean) => {
  const opts = { enabled, staleTime: 60_000 };
  return {
    messageTemplates: useQuery({
      ...opts,
      queryKey: ['journeys', 'pick', 'message-templates'],
      queryFn: () =>
        http
          .get<{ items: (Named & { channel: string })[] }>('/messaging/templates')
          .catch(() => ({ items: [] })),
    }),
    couponTemplates: useQuery({
      ...opts,
      queryKey: ['journeys', 'pick', 'coupon-templates'],
      queryFn: () => http.get<{ items: Named[] }>('/coupon-templates').catch(() => ({ items: [] })),
    }),
    tags: useQuery({
      ...opts,
      queryKey: ['journeys', 'pick', 'tags'],
      queryFn: () =>
        http
          .get<{ items: (Named & { key: string; kind: string; object: string })[] }>('/cdp/tags')
          .catch(() => ({ items: [] })),
    }),
    segments: useQuery({
      ...opts,
      queryKey: ['journeys', 'pick', 'segments'],
      queryFn: () =>
        http.get<{ items: (Named & { object: string })[] }>('/cdp/segments').catch(() => ({ items: [] })),
    }),
  };
};

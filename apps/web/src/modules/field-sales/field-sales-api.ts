import type {
  Coverage,
  Photo,
  Plan,
  Rep,
  Store,
  Visit,
  VisitCatalogue,
  VisitTask,
} from '@kehu/contracts/field-sales';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { http } from '../../shared/api-client';

export type { Coverage, Photo, Plan, Rep, Store, Visit };
export type VisitTaskT = VisitTask;
export type VisitCatalogueT = VisitCatalogue;

export const KEY = ['field-sales'] as const;
export const fslKeys = {
  myVisits: (day: string) => ['field-sales', 'my-visits', day] as const,
  visits: (day: string, repId?: string) => ['field-sales', 'visits', day, repId ?? 'all'] as const,
  stores: ['field-sales', 'stores'] as const,
  reps: ['field-sales', 'reps'] as const,
  plans: (week: string) => ['field-sales', 'plans', week] as const,
  coverage: ['field-sales', 'coverage'] as const,
  photos: (repId?: string) => ['field-sales', 'photos', repId ?? 'all'] as const,
  tasks: (visitId: string) => ['field-sales', 'visit-tasks', visitId] as const,
  catalogue: (visitId: string) => ['field-sales', 'visit-catalogue', visitId] as const,
};

/** The visit store's open HQ tasks (dealer-network). */
export const useVisitTasks = (visitId: string) =>
  useQuery({
    queryKey: fslKeys.tasks(visitId),
    queryFn: () => http.get<{ items: VisitTaskT[] }>(`/field-sales/visits/${visitId}/hq-tasks`),
    networkMode: 'offlineFirst',
    staleTime: 60_000,
  });
/** The store's dealer and its catalogue prices, for an order draft (403 without dealer ordering rights). */
export const useVisitCatalogue = (visitId: string) =>
  useQuery({
    queryKey: fslKeys.catalogue(visitId),
    queryFn: () => http.get<VisitCatalogueT>(`/field-sales/visits/${visitId}/order-catalogue`),
    networkMode: 'offlineFirst',
    staleTime: 300_000,
    retry: false,
  });

const CN = 8 * 3600_000;
export const todayStr = () => new Date(Date.now() + CN).toISOString().slice(0, 10);
export function weekStartOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return new Date(+d - ((d.getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
}
export const addDays = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export const useMyVisits = (day: string) =>
  useQuery({
    queryKey: fslKeys.myVisits(day),
    queryFn: () => http.get<{ items: Visit[] }>('/field-sales/my-visits', { day }),
    // The rep's list is the offline page's data: keep it while the phone has no network.
    networkMode: 'offlineFirst',
    staleTime: 30_000,
  });
export const useVisits = (day: string, repId?: string) =>
  useQuery({
    queryKey: fslKeys.visits(day, repId),
    queryFn: () => http.get<{ items: Visit[] }>('/field-sales/visits', { day, repId }),
  });
export const useStores = () =>
  useQuery({ queryKey: fslKeys.stores, queryFn: () => http.get<{ items: Store[] }>('/field-sales/stores') });
export const useReps = () =>
  useQuery({ queryKey: fslKeys.reps, queryFn: () => http.get<{ items: Rep[] }>('/field-sales/reps') });
export const usePlans = (weekStart: string) =>
  useQuery({
    queryKey: fslKeys.plans(weekStart),
    queryFn: () => http.get<{ items: Plan[] }>('/field-sales/plans', { weekStart }),
  });
export const useCoverage = () =>
  useQuery({ queryKey: fslKeys.coverage, queryFn: () => http.get<Coverage>('/field-sales/coverage') });
export const usePhotos = (repId?: string) =>
  useQuery({
    queryKey: fslKeys.photos(repId),
    queryFn: () => http.get<{ items: Photo[] }>('/field-sales/photos', { repId }),
  });

export function useFslMutation<V, R>(fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: KEY }) });
}
export const putStore = (v: { id: string; tier: string; repId: string | null; version: number }) =>
  http.put<Store>(`/field-sales/stores/${v.id}`, { tier: v.tier, repId: v.repId, version: v.version });
export const proposePlan = (v: { repId: string; weekStart: string }) =>
  http.post<Plan>('/field-sales/plans/propose', v);
export const savePlan = (v: {
  repId: string;
  weekStart: string;
  version: number;
  visits: { storeUnitId: string; day: string; visitType: string }[];
}) => http.put<Plan>('/field-sales/plans', v);

export const photoUrl = (id: string, thumb = false) =>
  `/api/v1/field-sales/photos/${id}${thumb ? '?thumb=1' : ''}`;

/** Great-circle metres (the phone tells the rep at once whether a reason will be needed). */
export function metres(a: [number, number], b: [number, number]): number {
  const R = 6_371_008.8;
  const rad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * rad;
  const dLng = (b[0] - a[0]) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * rad) * Math.cos(b[1] * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

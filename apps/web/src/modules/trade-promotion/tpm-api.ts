import type {
  Activity,
  ActivityInput,
  Budget,
  PoolAccount,
  PoolLedger,
  Proof,
  Roi,
  StoreLocation,
} from '@kehu/contracts/trade-promotion';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiFetch, http } from '../../shared/api-client';

export type { Activity, ActivityInput, Budget, PoolAccount, PoolLedger, Proof, Roi, StoreLocation };

const KEY = ['tpm'] as const;

export const useBudgets = (year?: number) =>
  useQuery({
    queryKey: [...KEY, 'budgets', year],
    queryFn: () => http.get<{ items: Budget[] }>('/tpm/budgets', { year }),
  });
export const useActivities = (status?: string) =>
  useQuery({
    queryKey: [...KEY, 'activities', status],
    queryFn: () => http.get<{ items: Activity[] }>('/tpm/activities', { status }),
  });
export const useActivity = (id: string | null) =>
  useQuery({
    queryKey: [...KEY, 'activity', id],
    queryFn: () => http.get<Activity>(`/tpm/activities/${id}`),
    enabled: !!id,
  });
export const useQueue = () =>
  useQuery({
    queryKey: [...KEY, 'queue'],
    queryFn: () => http.get<{ items: Activity[] }>('/tpm/verification-queue'),
  });
export const useProofs = (id: string | null) =>
  useQuery({
    queryKey: [...KEY, 'proofs', id],
    queryFn: () => http.get<{ items: Proof[] }>(`/tpm/activities/${id}/proofs`),
    enabled: !!id,
  });
export const useRoi = (id: string | null, enabled = true) =>
  useQuery({
    queryKey: [...KEY, 'roi', id],
    queryFn: () => http.get<Roi>(`/tpm/activities/${id}/roi`),
    enabled: !!id && enabled,
    retry: false,
  });
export const useStores = () =>
  useQuery({
    queryKey: [...KEY, 'stores'],
    queryFn: () => http.get<{ items: StoreLocation[] }>('/tpm/stores'),
  });
export const usePools = () =>
  useQuery({
    queryKey: [...KEY, 'pools'],
    queryFn: () => http.get<{ items: PoolAccount[] }>('/tpm/pools'),
  });
export const usePool = (dealerId: string | null) =>
  useQuery({
    queryKey: [...KEY, 'pool', dealerId],
    queryFn: () => http.get<PoolLedger>(`/tpm/pools/${dealerId}`),
    enabled: !!dealerId,
  });

/** Every TPM mutation refreshes every TPM view (budgets, lists, queue, pools move together). */
export function useTpmMutation<V, R>(fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: KEY }) });
}

export const fundBudget = (body: {
  year: number;
  quarter: number;
  channel: string;
  expenseType: string;
  amount: number;
}) => http.post<Budget>('/tpm/budgets', body);
export const allocate = (id: string, body: { unitId: string; amount: number; version?: number }) =>
  http.post<Budget>(`/tpm/budgets/${id}/allocations`, body);
export const createActivity = (body: ActivityInput) => http.post<Activity>('/tpm/activities', body);
export const activityAction = (id: string, action: 'submit' | 'cancel' | 'complete', version?: number) =>
  http.post<Activity>(`/tpm/activities/${id}/${action}`, { version });
export const verify = (
  id: string,
  body: { amount: number; comment?: string; proofsReviewed?: boolean; version?: number },
) => http.post<Activity>(`/tpm/activities/${id}/verify`, body);
export const saveLocation = (
  unitId: string,
  body: { lng: number; lat: number; coordSystem: string; radiusM: number; address?: string },
) => http.put<StoreLocation>(`/tpm/stores/${unitId}/location`, body);

export async function uploadProof(
  activityId: string,
  file: Blob,
  q: { storeUnitId: string; lng?: number; lat?: number; takenAt?: string; idempotencyKey: string },
): Promise<Proof> {
  const res = await apiFetch(`/tpm/activities/${activityId}/proofs`, {
    method: 'POST',
    rawBody: file,
    contentType: 'application/octet-stream',
    query: { ...q, coordSystem: 'wgs84' },
  });
  return (await res.json()) as Proof;
}

export const proofImageUrl = (id: string, size: 'thumb' | 'full' = 'thumb') =>
  `/api/v1/tpm/proofs/${id}/image?size=${size}`;

/** Fen → yuan text with two decimals and thousands separators. */
export const yuan = (fen: number, lang: string) =>
  new Intl.NumberFormat(lang, { style: 'currency', currency: 'CNY', maximumFractionDigits: 2 }).format(
    fen / 100,
  );

export const STATUS_COLOR: Record<string, string> = {
  draft: 'default',
  pending: 'processing',
  approved: 'blue',
  executed: 'orange',
  verified: 'green',
  rejected: 'red',
  cancelled: 'default',
};

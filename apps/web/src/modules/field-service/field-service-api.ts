import type {
  PredictiveRule,
  PredictiveRuleInput,
  PredictiveRulePatch,
  Slot,
  SlotsInput,
  Technician,
  TechnicianInput,
  WorkOrder,
  WorkOrderInput,
} from '@kehu/contracts/field-service';
import { useQuery } from '@tanstack/react-query';
import { API_BASE, ApiError, apiFetch, http } from '../../shared/api-client';

export type { PredictiveRule, PredictiveRuleInput, Slot, Technician, WorkOrder, WorkOrderInput };

export const fsKeys = {
  all: ['field-service'] as const,
  technicians: ['field-service', 'technicians'] as const,
  slots: (day: string) => ['field-service', 'slots', day] as const,
  orders: (day: string | undefined) => ['field-service', 'orders', day ?? 'all'] as const,
  myJobs: (day: string) => ['field-service', 'my-jobs', day] as const,
  job: (id: string) => ['field-service', 'job', id] as const,
  rules: ['field-service', 'rules'] as const,
  rulePreview: (id: string) => ['field-service', 'rules', id, 'preview'] as const,
};

export const useTechnicians = () =>
  useQuery({
    queryKey: fsKeys.technicians,
    queryFn: () => http.get<{ items: Technician[] }>('/field-service/technicians'),
  });
export const useSlots = (day: string) =>
  useQuery({
    queryKey: fsKeys.slots(day),
    queryFn: () => http.get<{ items: Slot[] }>('/field-service/slots', { day }),
  });
export const useWorkOrders = (day?: string) =>
  useQuery({
    queryKey: fsKeys.orders(day),
    queryFn: () => http.get<{ items: WorkOrder[] }>('/field-service/work-orders', { day }),
  });
export const useMyJobs = (day: string) =>
  useQuery({
    queryKey: fsKeys.myJobs(day),
    queryFn: () => http.get<{ items: WorkOrder[] }>('/field-service/my-jobs', { day }),
  });
export const useJob = (id: string) =>
  useQuery({
    queryKey: fsKeys.job(id),
    queryFn: () => http.get<WorkOrder>(`/field-service/work-orders/${id}`),
  });
export const useRules = () =>
  useQuery({
    queryKey: fsKeys.rules,
    queryFn: () => http.get<{ items: PredictiveRule[] }>('/field-service/predictive-rules'),
  });
export const useSegments = () =>
  useQuery({
    queryKey: ['cdp', 'segments'],
    queryFn: () => http.get<{ items: Array<{ id: string; name: string; object?: string }> }>('/cdp/segments'),
  });
export const useColleagues = () =>
  useQuery({
    queryKey: ['users', 'directory', 'field-service'],
    queryFn: () =>
      http
        .get<any>('/users', { limit: 100 })
        .then((d) => (d.items ?? d) as { id: string; name: string; unitName?: string }[]),
  });

export const putTechnician = (userId: string, v: TechnicianInput) =>
  http.put<Technician>(`/field-service/technicians/${userId}`, v);
export const createSlots = (v: SlotsInput) => http.post<{ items: Slot[] }>('/field-service/slots', v);
export const dispatch = (v: WorkOrderInput) => http.post<WorkOrder>('/field-service/work-orders', v);
export const cancelOrder = (id: string) => http.post<WorkOrder>(`/field-service/work-orders/${id}/cancel`);
export const checkIn = (id: string, v: { lat: number; lng: number; version: number }) =>
  http.post<WorkOrder>(`/field-service/work-orders/${id}/check-in`, v);
export const complete = (
  id: string,
  v: {
    lat?: number;
    lng?: number;
    parts: { name: string; qty: number }[];
    notes?: string;
    signature: string;
    signedBy: string;
    version: number;
  },
) => http.post<WorkOrder>(`/field-service/work-orders/${id}/complete`, v);
export async function uploadPhoto(id: string, file: Blob): Promise<WorkOrder> {
  const res = await apiFetch(`/field-service/work-orders/${id}/photos`, {
    method: 'POST',
    rawBody: file,
    // Uploads stream as octet-stream (the server re-encodes whatever image the phone sent).
    contentType: 'application/octet-stream',
  });
  return (await res.json()) as WorkOrder;
}
export const photoUrl = (id: string, photoId: string) =>
  `${API_BASE}/field-service/work-orders/${id}/photos/${photoId}`;
export const reportUrl = (id: string) => `${API_BASE}/field-service/work-orders/${id}/report`;
export const createRule = (v: PredictiveRuleInput) =>
  http.post<PredictiveRule>('/field-service/predictive-rules', v);
export const updateRule = (id: string, v: PredictiveRulePatch) =>
  http.patch<PredictiveRule>(`/field-service/predictive-rules/${id}`, v);
export const deleteRule = (id: string) => http.del<void>(`/field-service/predictive-rules/${id}`);
export const runRule = (id: string) =>
  http.post<{ created: number; skipped: number }>(`/field-service/predictive-rules/${id}/run`);
export const previewRule = (segmentId: string, dailyCap: number) =>
  http.post<{ members: number; due: number; nextRun: number }>('/field-service/predictive-rules/preview', {
    segmentId,
    dailyCap,
  });

/** Navigation links (just links: the phone's map app takes over). */
export function navLinks(w: Pick<WorkOrder, 'address' | 'lat' | 'lng'>) {
  const q = encodeURIComponent(w.address);
  const amap =
    w.lat !== null && w.lng !== null
      ? `https://uri.amap.com/marker?position=${w.lng},${w.lat}&name=${q}&callnative=1`
      : `https://uri.amap.com/search?keyword=${q}&callnative=1`;
  const baidu =
    w.lat !== null && w.lng !== null
      ? `https://api.map.baidu.com/marker?location=${w.lat},${w.lng}&title=${q}&content=${q}&output=html&coord_type=gcj02&src=kehu`
      : `https://api.map.baidu.com/geocoder?address=${q}&output=html&src=kehu`;
  return { amap, baidu };
}

/** Server field errors onto an antd form. */
export function fieldErrorsOf(e: unknown): { name: (string | number)[]; errors: string[] }[] {
  if (!(e instanceof ApiError)) return [];
  return (e.problem.errors ?? []).map((f) => ({
    name: f.field.split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : x)),
    errors: [f.message],
  }));
}

export const todayStr = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

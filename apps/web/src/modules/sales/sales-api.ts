import type { FilterNode } from '../../records/filter-model';
import type { RecordData } from '../../records/record-api';
import { http } from '../../shared/api-client';

export type Label = Record<string, string>;
export interface SopItem {
  key: string;
  type: 'action' | 'script' | 'document';
  label: Label;
  content?: Label | null;
  required: boolean;
  done?: boolean;
  doneBy?: string | null;
  doneAt?: string | null;
}
export interface Stage {
  key: string;
  label: Label;
  probability: number;
  kind: 'open' | 'won' | 'lost';
  sop: SopItem[];
}
export interface Pipeline {
  id: string;
  name: Label;
  isDefault: boolean;
  stages: Stage[];
  version: number;
}
export interface KanbanColumn {
  stage: string;
  label: Label;
  kind: Stage['kind'];
  probability: number;
  count: number;
  amount: number;
  weighted: number;
  cards: RecordData[];
  hasMore: boolean;
}
export interface SopView {
  pipeline: { id: string; name: Label };
  currentStage: string | null;
  stages: (Omit<Stage, 'sop'> & { items: SopItem[] })[];
}
export interface QuoteLine {
  id?: string;
  seq?: number;
  productId: string | null;
  productName: string;
  description?: string | null;
  quantity: number;
  unitPrice: number;
  listUnitPrice?: number;
  discountPercent: number;
  taxRate: number;
  gross?: number;
  discount?: number;
  net?: number;
  tax?: number;
  total?: number;
}
export interface Totals {
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
  discountPercent: number;
}
export interface ApprovalPreview {
  required: boolean;
  flowName?: Label;
  steps?: Label[];
}
export interface ApprovalRequest {
  id: string;
  object: string;
  recordId: string;
  recordName: string | null;
  summary: Record<string, any>;
  requester: { id: string; name: string | null };
  status: 'pending' | 'approved' | 'rejected' | 'returned' | 'withdrawn';
  currentStep: number;
  steps: { name: Label; approverType: string; approvers: { id: string; name: string }[] }[];
  createdAt: string;
  decidedAt: string | null;
  canAct: boolean;
  history: {
    step: number;
    action: string;
    comment: string | null;
    at: string;
    actor: { id: string | null; name: string | null };
  }[];
}
export interface Drill {
  object: string;
  filter: FilterNode;
  unit?: string;
}

const enc = encodeURIComponent;
export const salesApi = {
  pipelines: () => http.get<{ items: Pipeline[] }>('/pipelines').then((r) => r.items),
  kanban: (p: { pipeline?: string; unit?: string | null; owner?: string; q?: string }) =>
    http.get<{ pipeline: Pipeline; columns: KanbanColumn[] }>('/opportunities/kanban', {
      pipeline: p.pipeline,
      unit: p.unit ?? undefined,
      owner: p.owner,
      q: p.q,
    }),
  moveStage: (id: string, stage: string, lostReason?: string) =>
    http.post<RecordData>(`/opportunities/${enc(id)}/stage`, {
      stage,
      ...(lostReason ? { lostReason } : {}),
    }),
  sop: (id: string) => http.get<SopView>(`/opportunities/${enc(id)}/sop`),
  setSop: (id: string, stage: string, item: string, done: boolean) =>
    http.post<SopView>(`/opportunities/${enc(id)}/sop`, { stage, item, done }),
  quoteLines: (id: string) => http.get<{ quote: RecordData; lines: QuoteLine[] }>(`/quotes/${enc(id)}/lines`),
  saveLines: (id: string, lines: QuoteLine[]) =>
    http.put<{ quote: RecordData; lines: QuoteLine[]; approval: ApprovalPreview }>(
      `/quotes/${enc(id)}/lines`,
      {
        lines: lines.map(strip),
      },
    ),
  calculate: (currency: string, lines: QuoteLine[]) =>
    http.post<{ lines: QuoteLine[]; totals: Totals; approval: ApprovalPreview }>('/quotes/calculate', {
      currency,
      lines: lines.map(strip),
    }),
  submitQuote: (id: string) =>
    http.post<{ quote: RecordData; approval: ApprovalRequest | null }>(`/quotes/${enc(id)}/submit`),
  quoteToContract: (id: string) => http.post<RecordData>(`/quotes/${enc(id)}/contract`, {}),
  contractStatus: (id: string, status: string) =>
    http.post<RecordData>(`/contracts/${enc(id)}/status`, { status }),
  contractToOrder: (id: string) => http.post<RecordData>(`/contracts/${enc(id)}/order`, {}),
  orderStatus: (id: string, status: string) => http.post<RecordData>(`/orders/${enc(id)}/status`, { status }),
  plan: (id: string) => http.get<{ order: RecordData; items: PlanItem[] }>(`/orders/${enc(id)}/plan`),
  savePlan: (id: string, items: { dueDate: string; amount: number; note?: string }[]) =>
    http.put<{ order: RecordData; items: PlanItem[] }>(`/orders/${enc(id)}/plan`, { items }),
  approvals: (box: string) =>
    http.get<{ items: ApprovalRequest[]; counts: { pending: number } }>('/approvals', { box }),
  approval: (id: string) => http.get<ApprovalRequest>(`/approvals/${enc(id)}`),
  approvalHistory: (object: string, recordId: string) =>
    http.get<{ items: ApprovalRequest[] }>('/approvals/history', { object, recordId }).then((r) => r.items),
  decide: (id: string, action: 'approve' | 'reject' | 'return' | 'withdraw', comment?: string) =>
    http.post<ApprovalRequest>(`/approvals/${enc(id)}/${action}`, comment ? { comment } : {}),
  achievement: (period: string, unit?: string | null) =>
    http
      .get<{ items: any[] }>('/targets/achievement', { period, unit: unit ?? undefined })
      .then((r) => r.items),
  forecast: (period: string, unit?: string | null) =>
    http.get<any>('/forecast', { period, unit: unit ?? undefined }),
  customer360: (id: string) => http.get<any>(`/customers/${enc(id)}/360`),
  dashboard: (p: { from?: string; to?: string; unit?: string | null; channel?: string }) =>
    http.get<any>('/analytics/dashboard', {
      from: p.from,
      to: p.to,
      unit: p.unit ?? undefined,
      channel: p.channel,
    }),
};

export interface PlanItem {
  seq: number;
  dueDate: string;
  amount: number;
  note: string | null;
  paid: number;
  status: 'paid' | 'partial' | 'unpaid' | 'overdue';
}

function strip(l: QuoteLine) {
  return {
    productId: l.productId || null,
    productName: l.productName || null,
    description: l.description ?? null,
    quantity: Number(l.quantity) || 0,
    unitPrice:
      l.unitPrice === undefined || l.unitPrice === null || Number.isNaN(l.unitPrice)
        ? null
        : Math.round(l.unitPrice),
    discountPercent: Number(l.discountPercent) || 0,
    taxRate: l.taxRate === undefined || l.taxRate === null ? null : Number(l.taxRate),
  };
}

/** `/o/<object>?filter=…&unit=…`: the generic list page showing exactly a number's records. */
export const drillHref = (d: Drill) =>
  `/o/${d.object}?filter=${encodeURIComponent(JSON.stringify(d.filter))}${d.unit ? `&unit=${d.unit}` : ''}`;

export const yuan = (fen: number | null | undefined, currency = 'CNY') =>
  fen === null || fen === undefined
    ? '—'
    : `${currency === 'CNY' ? '¥' : `${currency} `}${(fen / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** Compact money for cards and charts: ¥12.3万 / ¥1.2亿 in Chinese, ¥123.4k in English. */
export function shortMoney(fen: number, lang: string): string {
  const y = fen / 100;
  if (lang.startsWith('zh')) {
    if (Math.abs(y) >= 1e8) return `¥${(y / 1e8).toFixed(2)}亿`;
    if (Math.abs(y) >= 1e4) return `¥${(y / 1e4).toFixed(1)}万`;
    return `¥${y.toFixed(0)}`;
  }
  if (Math.abs(y) >= 1e6) return `¥${(y / 1e6).toFixed(2)}M`;
  if (Math.abs(y) >= 1e3) return `¥${(y / 1e3).toFixed(1)}k`;
  return `¥${y.toFixed(0)}`;
}

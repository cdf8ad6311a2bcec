import type { Dashboard } from '@kehu/contracts/analytics';
import type { ApprovalHistory, ApprovalInbox, ApprovalRequest } from '@kehu/contracts/approvals';
import type { Money, RecordData } from '@kehu/contracts/common';
import type {
  AchievementList,
  Customer360,
  Drill,
  Forecast,
  Kanban,
  PaymentPlan,
  PipelineList,
  QuoteLine as PricedLine,
  PricedLines,
  QuoteDocument,
  QuoteLinesSaved,
  QuoteRevised,
  QuoteSettings,
  QuoteSettingsInput,
  QuoteShare,
  QuoteSubmitted,
  QuoteWithLines,
  SopView,
} from '@kehu/contracts/sales';
import { http } from '../../shared/api-client';

export type { ApprovalRequest } from '@kehu/contracts/approvals';
export type { Label } from '@kehu/contracts/common';
export type {
  ApprovalPreview,
  Customer360,
  Drill,
  KanbanColumn,
  Pipeline,
  PlanItem,
  QuoteTotals as Totals,
  SopItem,
  SopView,
  Stage,
} from '@kehu/contracts/sales';

/**
 * A quote line as the editor holds it: what the user typed, and the server's pricing once it has
 * answered (a new line has none yet, so the priced amounts are optional).
 */
export type QuoteLine = Pick<
  PricedLine,
  'productId' | 'productName' | 'quantity' | 'unitPrice' | 'discountPercent' | 'taxRate'
> &
  Partial<PricedLine>;

/**
 * The quote facts an approval request carries in its summary. Each approval target writes its own
 * summary, so the contract leaves it open and the approval pages read it through here.
 */
export function quoteSummary(summary: ApprovalRequest['summary']) {
  const total = summary.total as Partial<Money> | null | undefined;
  return {
    total:
      total && typeof total.amount === 'number' && typeof total.currency === 'string'
        ? { amount: total.amount, currency: total.currency }
        : null,
    discountPercent: typeof summary.discountPercent === 'number' ? summary.discountPercent : null,
    customerName: typeof summary.customerName === 'string' ? summary.customerName : null,
  };
}

const enc = encodeURIComponent;
export const salesApi = {
  pipelines: () => http.get<PipelineList>('/pipelines').then((r) => r.items),
  kanban: (p: { pipeline?: string; unit?: string | null; owner?: string; q?: string }) =>
    http.get<Kanban>('/opportunities/kanban', {
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
  quoteLines: (id: string) => http.get<QuoteWithLines>(`/quotes/${enc(id)}/lines`),
  saveLines: (id: string, lines: QuoteLine[]) =>
    http.put<QuoteLinesSaved>(`/quotes/${enc(id)}/lines`, {
      lines: lines.map(strip),
    }),
  calculate: (currency: string, lines: QuoteLine[]) =>
    http.post<PricedLines>('/quotes/calculate', {
      currency,
      lines: lines.map(strip),
    }),
  submitQuote: (id: string) => http.post<QuoteSubmitted>(`/quotes/${enc(id)}/submit`),
  quoteToContract: (id: string) => http.post<RecordData>(`/quotes/${enc(id)}/contract`, {}),
  quoteDocument: (id: string) => http.get<QuoteDocument>(`/quotes/${enc(id)}/document`),
  reviseQuote: (
    id: string,
    body: { lines?: QuoteLine[]; validUntil?: string | null; notes?: string | null },
  ) =>
    http.post<QuoteRevised>(`/quotes/${enc(id)}/revisions`, {
      ...body,
      lines: body.lines?.map(strip),
    }),
  shareQuote: (id: string) => http.post<QuoteShare>(`/quotes/${enc(id)}/share`),
  revokeShare: (id: string) => http.del<void>(`/quotes/${enc(id)}/share`),
  /** Same-origin link: the session cookie goes with it, the server answers with the file. */
  quotePdfUrl: (id: string) => `/api/v1/quotes/${enc(id)}/pdf`,
  quoteSettings: () => http.get<QuoteSettings>('/sales/quote-settings'),
  saveQuoteSettings: (s: QuoteSettingsInput) => http.put<QuoteSettings>('/sales/quote-settings', s),
  contractStatus: (id: string, status: string) =>
    http.post<RecordData>(`/contracts/${enc(id)}/status`, { status }),
  contractToOrder: (id: string) => http.post<RecordData>(`/contracts/${enc(id)}/order`, {}),
  orderStatus: (id: string, status: string) => http.post<RecordData>(`/orders/${enc(id)}/status`, { status }),
  plan: (id: string) => http.get<PaymentPlan>(`/orders/${enc(id)}/plan`),
  savePlan: (id: string, items: { dueDate: string; amount: number; note?: string }[]) =>
    http.put<PaymentPlan>(`/orders/${enc(id)}/plan`, { items }),
  approvals: (box: string) => http.get<ApprovalInbox>('/approvals', { box }),
  approval: (id: string) => http.get<ApprovalRequest>(`/approvals/${enc(id)}`),
  approvalHistory: (object: string, recordId: string) =>
    http.get<ApprovalHistory>('/approvals/history', { object, recordId }).then((r) => r.items),
  decide: (id: string, action: 'approve' | 'reject' | 'return' | 'withdraw', comment?: string) =>
    http.post<ApprovalRequest>(`/approvals/${enc(id)}/${action}`, comment ? { comment } : {}),
  achievement: (period: string, unit?: string | null) =>
    http
      .get<AchievementList>('/targets/achievement', { period, unit: unit ?? undefined })
      .then((r) => r.items),
  forecast: (period: string, unit?: string | null) =>
    http.get<Forecast>('/forecast', { period, unit: unit ?? undefined }),
  customer360: (id: string) => http.get<Customer360>(`/customers/${enc(id)}/360`),
  dashboard: (p: { from?: string; to?: string; unit?: string | null; channel?: string }) =>
    http.get<Dashboard>('/analytics/dashboard', {
      from: p.from,
      to: p.to,
      unit: p.unit ?? undefined,
      channel: p.channel,
    }),
};

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

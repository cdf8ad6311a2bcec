import type {
  Account,
  CatalogueItem,
  ChannelStockItem,
  Order,
  PricePolicy,
  PricePolicyInput,
  Promotion,
  PromotionInput,
  RebateAccrual,
  RebateRule,
  RebateRuleInput,
  Statement,
  StockReportInput,
} from '@kehu/contracts/dealers';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FormInstance } from 'antd';
import { ApiError, apiFetch, http, saveResponse } from '../../shared/api-client';

export type {
  Account,
  CatalogueItem,
  ChannelStockItem,
  Order,
  PricePolicy,
  Promotion,
  RebateAccrual,
  RebateRule,
  Statement,
};
export interface HqStockItem {
  productId: string;
  name: string;
  code: string | null;
  onHand: number;
  reserved: number;
  available: number;
  minOrderQty: number;
  minQty: number | null;
}
export type StatementHead = Omit<Statement, 'lines'>;

const KEY = ['dealers'] as const;

export const useCatalogue = (dealerUnitId?: string, enabled = true) =>
  useQuery({
    queryKey: [...KEY, 'catalogue', dealerUnitId],
    queryFn: () => http.get<{ items: CatalogueItem[] }>('/dealers/catalogue', { dealerUnitId }),
    retry: false,
    enabled,
  });
export const usePromotions = () =>
  useQuery({
    queryKey: [...KEY, 'promotions'],
    queryFn: () => http.get<{ items: Promotion[] }>('/dealers/promotions'),
  });
export const usePolicies = () =>
  useQuery({
    queryKey: [...KEY, 'policies'],
    queryFn: () => http.get<{ items: PricePolicy[] }>('/dealers/price-policies'),
  });
export const useChannelStock = (dealerUnitId?: string) =>
  useQuery({
    queryKey: [...KEY, 'channel-stock', dealerUnitId],
    queryFn: () => http.get<{ items: ChannelStockItem[] }>('/dealers/channel-stock', { dealerUnitId }),
  });
export const useHqStock = (enabled: boolean) =>
  useQuery({
    queryKey: [...KEY, 'hq-stock'],
    queryFn: () => http.get<{ items: HqStockItem[] }>('/dealers/products'),
    enabled,
  });
export const useRebateRules = () =>
  useQuery({
    queryKey: [...KEY, 'rebate-rules'],
    queryFn: () => http.get<{ items: RebateRule[] }>('/dealers/rebate-rules'),
  });
export const useRebates = () =>
  useQuery({
    queryKey: [...KEY, 'rebates'],
    queryFn: () => http.get<{ items: RebateAccrual[] }>('/dealers/rebates'),
  });
export const useOrders = (status?: string) =>
  useQuery({
    queryKey: [...KEY, 'orders', status],
    queryFn: () => http.get<{ items: Order[] }>('/dealers/orders', { status }),
  });
export const useAccounts = () =>
  useQuery({
    queryKey: [...KEY, 'accounts'],
    queryFn: () => http.get<{ items: Account[] }>('/dealers/accounts'),
  });
export const useStatements = () =>
  useQuery({
    queryKey: [...KEY, 'statements'],
    queryFn: () => http.get<{ items: StatementHead[] }>('/dealers/statements'),
  });
export const useStatement = (id: string | null) =>
  useQuery({
    queryKey: [...KEY, 'statement', id],
    queryFn: () => http.get<Statement>(`/dealers/statements/${id}`),
    enabled: !!id,
  });

/** Every dealers mutation refreshes every dealers view (orders, stock, accounts, statements move together). */
export function useDealersMutation<V, R>(fn: (v: V) => Promise<R>) {
  const qc = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => qc.invalidateQueries({ queryKey: KEY }) });
}

export const createOrder = (body: {
  lines: { productId: string; quantity: number }[];
  promotionIds: string[];
  poolDeduction: number;
  note?: string;
}) => http.post<Order>('/dealers/orders', body);
export const editOrder = (
  id: string,
  body: {
    version: number;
    lines: { productId: string; quantity: number }[];
    promotionIds: string[];
    poolDeduction: number;
    note?: string;
  },
) => http.put<Order>(`/dealers/orders/${id}`, body);
export const createPolicy = (body: PricePolicyInput) =>
  http.post<PricePolicy>('/dealers/price-policies', body);
export const createPromotion = (body: PromotionInput) => http.post<Promotion>('/dealers/promotions', body);
export const saveProduct = (id: string, body: { onHand?: number; minOrderQty?: number }) =>
  http.put(`/dealers/products/${id}`, body);
export const saveThreshold = (id: string, minQty: number | null) =>
  http.put(`/dealers/products/${id}/threshold`, { minQty });
export const reportStock = (body: StockReportInput) =>
  http.post<{ items: ChannelStockItem[] }>('/dealers/channel-stock/reports', body);
export const createRebateRule = (body: RebateRuleInput) =>
  http.post<RebateRule>('/dealers/rebate-rules', body);
export const toggleRebateRule = (id: string, version: number, active: boolean) =>
  http.patch<RebateRule>(`/dealers/rebate-rules/${id}`, { version, active });
export const accrueRebates = () =>
  http.post<{ accruals: number; amount: number }>('/dealers/rebates/accrue', {});
export const settleRebate = (
  id: string,
  body: { version: number; as: 'credit' | 'goods'; productId?: string; quantity?: number },
) => http.post<RebateAccrual>(`/dealers/rebates/${id}/settle`, body);
export const orderAction = (id: string, action: 'submit' | 'cancel' | 'ship' | 'receive', version?: number) =>
  http.post<Order>(`/dealers/orders/${id}/${action}`, { version });
export const updateAccount = (id: string, body: { creditLimit?: number; tier?: string | null }) =>
  http.patch<Account>(`/dealers/accounts/${id}`, body);
export const recordEntry = (
  id: string,
  body: { kind: string; amount: number; ref: string; idempotencyKey: string },
) => http.post<Account>(`/dealers/accounts/${id}/entries`, body);
export const issueStatement = (body: { dealerUnitId: string; period: string; reissue?: boolean }) =>
  http.post<Statement>('/dealers/statements', body);
export const lineAction = (
  id: string,
  lineNo: number | null,
  action: 'confirm' | 'dispute' | 'resolve',
  body: { version: number; reason?: string; resolution?: string },
) =>
  http.post<Statement>(
    lineNo === null
      ? `/dealers/statements/${id}/confirm`
      : `/dealers/statements/${id}/lines/${lineNo}/${action}`,
    body,
  );
export async function downloadStatement(id: string, name: string, format: 'xlsx' | 'pdf' = 'xlsx') {
  await saveResponse(await apiFetch(`/dealers/statements/${id}/export?format=${format}`), name);
}

/**
 * Puts the server's field errors on the form's fields (`lines.0.price` → ['lines', 0, 'price']);
 * returns the messages no field of the form shows (to show above the buttons).
 */
export function applyFieldErrors(form: FormInstance, e: unknown, known: string[]): string[] {
  if (!(e instanceof ApiError) || !(e.problem.errors ?? []).length) return problemLines(e);
  const rest: string[] = [];
  const fields: { name: (string | number)[]; errors: string[] }[] = [];
  for (const x of e.problem.errors ?? []) {
    const name = x.field.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    if (known.includes(String(name[0]))) fields.push({ name, errors: [x.message ?? x.code] });
    else rest.push(x.message ?? x.code);
  }
  form.setFields(fields);
  return rest;
}

/** The field messages of a failed submit (credit, stock, MOQ, promotion, pool), else its detail. */
export function problemLines(e: unknown): string[] {
  if (e instanceof ApiError) {
    const msgs = (e.problem.errors ?? []).map((x) => x.message).filter(Boolean) as string[];
    return msgs.length ? msgs : [e.problem.detail || e.problem.title || e.message];
  }
  return [e instanceof Error ? e.message : String(e)];
}

/** Fen → yuan text. */
export const yuan = (fen: number, lang: string) =>
  new Intl.NumberFormat(lang, { style: 'currency', currency: 'CNY', maximumFractionDigits: 2 }).format(
    fen / 100,
  );

export const STATUS_COLOR: Record<string, string> = {
  draft: 'default',
  pending: 'processing',
  approved: 'blue',
  shipped: 'orange',
  received: 'green',
  rejected: 'red',
  cancelled: 'default',
};

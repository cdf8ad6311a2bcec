import type { Account, CatalogueItem, Order, Promotion, Statement } from '@kehu/contracts/dealers';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, apiFetch, http, saveResponse } from '../../shared/api-client';

export type { Account, CatalogueItem, Order, Promotion, Statement };
export type StatementHead = Omit<Statement, 'lines'>;

const KEY = ['dealers'] as const;

export const useCatalogue = (dealerUnitId?: string) =>
  useQuery({
    queryKey: [...KEY, 'catalogue', dealerUnitId],
    queryFn: () => http.get<{ items: CatalogueItem[] }>('/dealers/catalogue', { dealerUnitId }),
    retry: false,
  });
export const usePromotions = () =>
  useQuery({
    queryKey: [...KEY, 'promotions'],
    queryFn: () => http.get<{ items: Promotion[] }>('/dealers/promotions'),
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
export const orderAction = (id: string, action: 'submit' | 'cancel' | 'ship' | 'receive', version?: number) =>
  http.post<Order>(`/dealers/orders/${id}/${action}`, { version });
export const updateAccount = (id: string, body: { creditLimit?: number; tier?: string | null }) =>
  http.patch<Account>(`/dealers/accounts/${id}`, body);
export const recordEntry = (
  id: string,
  body: { kind: string; amount: number; ref: string; idempotencyKey: string },
) => http.post<Account>(`/dealers/accounts/${id}/entries`, body);
export const issueStatement = (body: { dealerUnitId: string; period: string }) =>
  http.post<Statement>('/dealers/statements', body);
export const lineAction = (
  id: string,
  lineNo: number | null,
  action: 'confirm' | 'dispute' | 'resolve',
  body: Record<string, string> = {},
) =>
  http.post<Statement>(
    lineNo === null
      ? `/dealers/statements/${id}/confirm`
      : `/dealers/statements/${id}/lines/${lineNo}/${action}`,
    body,
  );
export async function downloadStatement(id: string, name: string) {
  await saveResponse(await apiFetch(`/dealers/statements/${id}/export?format=xlsx`), name);
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

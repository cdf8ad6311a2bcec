import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import {
  createRecords,
  getRecord,
  listRecords,
  type RecordCtx,
  recordCtx,
  updateRecords,
} from '../../engine/records/record.service.ts';
import { attachDisplay, type RecordOut } from '../../engine/records/record-mapper.ts';
import {
  assertUnlocked,
  conditionHolds,
  type Decision,
  listFlows,
  submitForApproval,
} from '../approvals/index.ts';
import { liveRecord } from './opportunity.service.ts';
import {
  type LineAmounts,
  lineAmounts,
  type QuoteTotals,
  quoteTotals,
  type Tier,
  tierPrice,
} from './quote.calc.ts';
import { isExpired } from './quote-validity.ts';
import { salesProblem } from './sales.messages.ts';

export interface LineIn {
  productId?: string | null;
  productName?: string | null;
  description?: string | null;
  quantity: number;
  unitPrice?: number | null;
  discountPercent?: number;
  taxRate?: number | null;
}

export interface LineOut extends LineAmounts {
  id?: string;
  seq: number;
  productId: string | null;
  productName: string;
  description: string | null;
  quantity: number;
  listUnitPrice: number;
  unitPrice: number;
  discountPercent: number;
  taxRate: number;
}

/**
 * Prices lines from the catalogue: the tier price of the product's active price list in the
 * quote's currency for the line's quantity, else the product's list price. A unit price given
 * by the caller overrides it; the difference counts as discount (approval thresholds see it).
 */
export async function priceLines(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  currency: string,
  lines: LineIn[],
): Promise<{ lines: LineOut[]; totals: QuoteTotals }> {
  const ids = [...new Set(lines.map((l) => l.productId).filter((x): x is string => !!x))];
  const products = new Map<string, RecordOut>();
  const tiers = new Map<string, Tier[]>();
  if (ids.length && can(principal, 'product:read')) {
    const pctx = await recordCtx(tx, principal, actor, 'product');
    for (const p of (await listRecords(pctx, { filter: { field: 'id', op: 'in', value: ids }, limit: 200 }))
      .items)
      products.set(p.id, p);
    if (can(principal, 'price_list:read')) {
      const lctx = await recordCtx(tx, principal, actor, 'price_list');
      const today = new Date().toISOString().slice(0, 10);
      const lists = await listRecords(lctx, {
        filter: {
          and: [
            { field: 'productId', op: 'in', value: ids },
            { field: 'currency', op: 'eq', value: currency },
            { field: 'isActive', op: 'eq', value: true },
          ],
        },
        sort: '-updatedAt',
        limit: 200,
      });
      for (const pl of lists.items) {
        if ((pl.validFrom && String(pl.validFrom) > today) || (pl.validTo && String(pl.validTo) < today))
          continue;
        const pid = pl.productId as string;
        if (!tiers.has(pid) && Array.isArray(pl.tiers)) tiers.set(pid, pl.tiers as Tier[]);
      }
    }
  }
  const errors: { field: string; code: string; params?: Record<string, unknown> }[] = [];
  const out: LineOut[] = lines.map((l, i) => {
    const p = l.productId ? products.get(l.productId) : undefined;
    if (l.productId && !p) errors.push({ field: `lines[${i}].productId`, code: 'lookup_missing' });
    const listPrice = p?.listPrice as { amount: number; currency: string } | null | undefined;
    const catalogue =
      (p ? tierPrice(tiers.get(p.id) ?? [], l.quantity) : null) ??
      (listPrice && listPrice.currency === currency ? listPrice.amount : null);
    const unitPrice = l.unitPrice ?? catalogue;
    if (unitPrice === null || unitPrice === undefined)
      errors.push({ field: `lines[${i}].unitPrice`, code: 'required' });
    const name = l.productName ?? (p?.name as string | undefined) ?? null;
    if (!name) errors.push({ field: `lines[${i}].productName`, code: 'required' });
    const taxRate = l.taxRate ?? (p?.taxRate !== undefined && p?.taxRate !== null ? Number(p.taxRate) : 0);
    const input = {
      quantity: l.quantity,
      unitPrice: unitPrice ?? 0,
      listUnitPrice: catalogue ?? unitPrice ?? 0,
      discountPercent: l.discountPercent ?? 0,
      taxRate,
    };
    let amounts: LineAmounts;
    try {
      amounts = lineAmounts(input);
    } catch {
      errors.push({ field: `lines[${i}].quantity`, code: 'pattern' });
      amounts = { gross: 0, discount: 0, net: 0, tax: 0, total: 0, list: 0 };
    }
    return {
      seq: i + 1,
      productId: l.productId ?? null,
      productName: name ?? '',
      description: l.description ?? null,
      ...input,
      ...amounts,
    };
  });
  if (errors.length) throw invalid(errors);
  return { lines: out, totals: quoteTotals(out) };
}

/** Whether a quote with these totals would need approval, and by which flow. */
export async function approvalPreview(tx: Tx, tenantId: string, totals: QuoteTotals) {
  const facts = { discountPercent: totals.discountPercent, total: totals.total };
  const flow = (await listFlows(tx, tenantId, 'quote')).find(
    (f) => f.isActive && conditionHolds(f.condition, facts),
  );
  return flow
    ? {
        required: true,
        flowId: flow.id,
        flowName: flow.name,
        steps: flow.steps.filter((s) => conditionHolds(s.condition, facts)).map((s) => s.name),
      }
    : { required: false };
}

export async function readLines(tx: Tx, tenantId: string, quoteId: string): Promise<LineOut[]> {
  const rows = (
    await sql<any>`select * from quote_lines where tenant_id = ${tenantId} and quote_id = ${quoteId} order by seq`.execute(
      tx,
    )
  ).rows;
  return rows.map((r) => ({
    id: r.id,
    seq: r.seq,
    productId: r.product_id,
    productName: r.product_name,
    description: r.description,
    quantity: Number(r.quantity),
    listUnitPrice: Number(r.list_unit_price),
    unitPrice: Number(r.unit_price),
    discountPercent: Number(r.discount_percent),
    taxRate: Number(r.tax_rate),
    gross: Number(r.gross),
    discount: Number(r.discount),
    net: Number(r.net),
    tax: Number(r.tax),
    total: Number(r.total),
    list: Math.round(Number(r.quantity) * Number(r.list_unit_price)),
  }));
}

export async function quoteWithLines(ctx: RecordCtx, id: string) {
  const quote = await liveRecord(ctx, id);
  const lines = await readLines(ctx.tx, ctx.principal.tenantId, quote.id);
  return { quote, lines };
}

/** Lines are edited while a quote is a draft or after a rejection; an approved one is locked. */
const EDITABLE = new Set(['draft', 'rejected']);
/** Approved, turned into a contract, or replaced by a newer revision: nothing but status changes. */
export const LOCKED = new Set(['approved', 'accepted', 'superseded']);

/** Replaces a quote's lines and its computed totals; a rejected quote goes back to draft. */
export async function setLines(ctx: RecordCtx, id: string, lines: LineIn[], locale: Locale) {
  const quote = await liveRecord(ctx, id);
  await assertUnlocked(ctx, quote.id);
  const status = String(quote.status ?? 'draft');
  if (status === 'approved') throw salesProblem('conflict', locale, 'quote_locked');
  if (!EDITABLE.has(status))
    throw salesProblem('conflict', locale, 'quote_status', { status: statusLabel(ctx, status, locale) });
  const currency = String(quote.currency ?? 'CNY');
  const priced = await priceLines(ctx.tx, ctx.principal, ctx.actor, currency, lines);
  await writeLines(
    ctx,
    quote.id,
    currency,
    priced,
    status !== 'draft' ? { status: 'draft' } : {},
    'quote_lines',
  );
  return {
    ...(await quoteWithLines(ctx, id)),
    approval: await approvalPreview(ctx.tx, ctx.principal.tenantId, priced.totals),
  };
}

/** Stores priced lines and the totals they add up to (plus `extra` changes) on the quote. */
export async function writeLines(
  ctx: RecordCtx,
  quoteId: string,
  currency: string,
  priced: { lines: LineOut[]; totals: QuoteTotals },
  extra: Record<string, unknown>,
  via: string,
) {
  const t = ctx.principal.tenantId;
  await sql`delete from quote_lines where tenant_id = ${t} and quote_id = ${quoteId}`.execute(ctx.tx);
  if (priced.lines.length)
    await sql`insert into quote_lines (tenant_id, quote_id, id, seq, product_id, product_name, description, quantity,
        list_unit_price, unit_price, discount_percent, tax_rate, gross, discount, net, tax, total)
      values ${sql.join(
        priced.lines.map(
          (
            l,
          ) => sql`(${t}, ${quoteId}, ${newId()}, ${l.seq}, ${l.productId}, ${l.productName}, ${l.description}, ${l.quantity},
            ${l.listUnitPrice}, ${l.unitPrice}, ${l.discountPercent}, ${l.taxRate}, ${l.gross}, ${l.discount}, ${l.net}, ${l.tax}, ${l.total})`,
        ),
      )}`.execute(ctx.tx);
  const m = (amount: number) => ({ amount, currency });
  await updateRecords(
    ctx,
    [
      {
        id: quoteId,
        changes: {
          subtotal: m(priced.totals.subtotal),
          discountTotal: m(priced.totals.discountTotal),
          taxTotal: m(priced.totals.taxTotal),
          total: m(priced.totals.total),
          discountPercent: priced.totals.discountPercent,
          ...extra,
        },
      },
    ],
    { trusted: true, via },
  );
}

export function statusLabel(ctx: RecordCtx, status: string, locale: Locale) {
  return (
    ctx.obj.fields.find((f) => f.apiName === 'status')?.options?.find((o) => o.value === status)?.label[
      locale
    ] ?? status
  );
}

/** Draft → approval (when a flow's condition holds, e.g. discount > 15 %) or straight to approved. */
export async function submitQuote(ctx: RecordCtx, id: string, locale: Locale) {
  const quote = await liveRecord(ctx, id);
  const status = String(quote.status ?? 'draft');
  if (status !== 'draft')
    throw salesProblem('conflict', locale, 'quote_status', { status: statusLabel(ctx, status, locale) });
  const lines = await readLines(ctx.tx, ctx.principal.tenantId, quote.id);
  if (lines.length === 0)
    throw salesProblem('validation', locale, 'quote_no_lines', {}, [{ field: 'lines', code: 'required' }]);
  // The flow decides on what the quote says, never on what the submitter may see of it: a role
  // that sees the discount or total masked would read NaN / 0 there and skip approval.
  const stored = (
    await sql<{ discount_percent: unknown; total: { amount: number; currency: string } | null }>`
      select discount_percent, total from quotes where tenant_id = ${ctx.principal.tenantId} and id = ${quote.id}`.execute(
      ctx.tx,
    )
  ).rows[0];
  const total = Number(stored?.total?.amount ?? 0);
  const discountPercent = Number(stored?.discount_percent ?? 0);
  const request = await submitForApproval(
    ctx.tx,
    ctx.principal,
    ctx.actor,
    {
      object: 'quote',
      recordId: quote.id,
      recordName: String(quote.name),
      unitId: String(quote.unitId),
      facts: { discountPercent, total },
      summary: {
        total: stored?.total ?? null,
        discountPercent,
        customerId: quote.customerId,
        customerName: (quote._display as Record<string, string> | undefined)?.customerId ?? null,
        lines: lines.length,
      },
    },
    locale,
  );
  await updateRecords(
    ctx,
    [{ id: quote.id, changes: { status: request ? 'pending_approval' : 'approved' } }],
    {
      trusted: true,
      via: 'quote_submit',
    },
  );
  return { quote: await getRecord(ctx, quote.id), approval: request };
}

export async function onQuoteDecision(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  recordId: string,
  decision: Decision,
) {
  const status = decision === 'approved' ? 'approved' : decision === 'rejected' ? 'rejected' : 'draft';
  // The approver may not hold the requester's data scope on quotes; the decision is the authority here.
  const ctx = await recordCtx(
    tx,
    { ...principal, dataScopes: { ...principal.dataScopes, quote: 'tenant' } },
    actor,
    'quote',
  );
  await updateRecords(ctx, [{ id: recordId, changes: { status } }], {
    trusted: true,
    via: `approval_${decision}`,
  });
}

/**
 * "<customer> · <products> 合同": a contract list reads by who and what, where the quote's own
 * name ("… 报价") would carry the word quote into every contract. The customer is named only
 * when the caller may read it.
 */
async function contractTitle(ctx: RecordCtx, quote: RecordOut, locale: Locale): Promise<string> {
  const probe: RecordOut = { id: quote.id, version: 0, customerId: quote.customerId };
  await attachDisplay(
    ctx.tx,
    ctx.principal.tenantId,
    ctx.meta.objects,
    ctx.obj,
    [probe],
    new Set(),
    ctx.principal,
  );
  const customer = probe._display?.customerId;
  const names = [
    ...new Set(
      (await readLines(ctx.tx, ctx.principal.tenantId, quote.id)).map((l) => l.productName).filter(Boolean),
    ),
  ];
  const en = locale === 'en-US';
  const products =
    names.length === 0
      ? null
      : names.length === 1
        ? names[0]
        : en
          ? `${names[0]} +${names.length - 1}`
          : `${names[0]}等${names.length}项`;
  const subject = [customer, products].filter(Boolean).join(' · ') || String(quote.name);
  return `${subject} ${en ? 'contract' : '合同'}`.slice(0, 200);
}

/** R4.3: an approved quote becomes a contract (draft) carrying its amount, customer and opportunity. */
export async function quoteToContract(
  ctx: RecordCtx,
  id: string,
  input: { contractNo?: string; name?: string },
  locale: Locale,
) {
  const quote = await liveRecord(ctx, id);
  if (quote.status !== 'approved') throw salesProblem('conflict', locale, 'quote_not_approved');
  if (isExpired(quote))
    throw salesProblem('conflict', locale, 'quote_expired', { date: String(quote.validUntil) });
  const cctx = await recordCtx(ctx.tx, ctx.principal, ctx.actor, 'contract');
  const [r] = await createRecords(
    cctx,
    [
      {
        name: input.name ?? (await contractTitle(ctx, quote, locale)),
        contractNo: input.contractNo ?? null,
        customerId: quote.customerId,
        quoteId: quote.id,
        opportunityId: quote.opportunityId ?? null,
        amount: quote.total,
        channel: quote.channel ?? null,
        status: 'draft',
      },
    ],
    { trusted: true, via: 'quote_to_contract' },
  );
  await updateRecords(ctx, [{ id: quote.id, changes: { status: 'accepted' } }], {
    trusted: true,
    via: 'quote_to_contract',
  });
  return getRecord(cctx, r!.id!);
}

import type { QuoteDocument, QuoteSettings, QuoteSettingsInput, ReviseBody } from '@kehu/contracts/sales';
import { sql } from 'kysely';
import { writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import type { ObjectHooks } from '../../engine/records/object-hooks.ts';
import {
  createRecords,
  listRecords,
  type RecordCtx,
  updateRecords,
} from '../../engine/records/record.service.ts';
import type { RecordOut } from '../../engine/records/record-mapper.ts';
import { liveRecord } from './opportunity.service.ts';
import {
  type LineIn,
  type LineOut,
  LOCKED,
  priceLines,
  quoteWithLines,
  readLines,
  statusLabel,
  submitQuote,
  writeLines,
} from './quote.service.ts';
import type { Printable } from './quote-pdf.ts';
import { newShareToken } from './quote-share-token.ts';
import { addDays, isExpired, todayInTenant } from './quote-validity.ts';
import { salesProblem, st } from './sales.messages.ts';

// ------------------------------------------------------------------ settings (letterhead)

export async function getQuoteSettings(tx: Tx, tenantId: string): Promise<QuoteSettings> {
  const r = (
    await sql<{
      tenant_name: string;
      company_name: string | null;
      address: string | null;
      phone: string | null;
      email: string | null;
      logo: string | null;
      validity_days: number | null;
      terms: string | null;
    }>`select t.name as tenant_name, s.company_name, s.address, s.phone, s.email, s.logo, s.validity_days, s.terms
      from tenants t left join quote_settings s on s.tenant_id = t.id where t.id = ${tenantId}`.execute(tx)
  ).rows[0];
  return {
    tenantName: r?.tenant_name ?? '',
    companyName: r?.company_name ?? null,
    address: r?.address ?? null,
    phone: r?.phone ?? null,
    email: r?.email ?? null,
    logo: r?.logo ?? null,
    validityDays: r?.validity_days ?? 30,
    terms: r?.terms ?? null,
  };
}

export async function putQuoteSettings(
  tx: Tx,
  tenantId: string,
  s: QuoteSettingsInput,
): Promise<QuoteSettings> {
  await sql`insert into quote_settings (tenant_id, company_name, address, phone, email, logo, validity_days, terms)
    values (${tenantId}, ${s.companyName}, ${s.address}, ${s.phone}, ${s.email}, ${s.logo}, ${s.validityDays}, ${s.terms})
    on conflict (tenant_id) do update set company_name = excluded.company_name, address = excluded.address,
      phone = excluded.phone, email = excluded.email, logo = excluded.logo, validity_days = excluded.validity_days,
      terms = excluded.terms, updated_at = now()`.execute(tx);
  return getQuoteSettings(tx, tenantId);
}

// ------------------------------------------------------------------ lock and validity

/** Fields that still change on a locked quote: its status (the module's own transitions) and ownership. */
const WRITABLE_WHEN_LOCKED = new Set(['status', 'ownerId', 'unitId']);

/**
 * A new quote is valid for the tenant's default number of days unless a date is given. An
 * approved quote is locked: the approval covered what it says, so any change is a new revision
 * (POST /quotes/:id/revisions), never an edit in place.
 */
export const quoteDocumentHooks: ObjectHooks = {
  async beforeWrite(ctx, items, op) {
    if (op === 'create') {
      const missing = items.filter(
        (it) => it.values.validUntil === undefined || it.values.validUntil === null,
      );
      if (missing.length === 0) return;
      const { validityDays } = await getQuoteSettings(ctx.tx, ctx.principal.tenantId);
      const until = addDays(todayInTenant(), validityDays);
      for (const it of missing) it.values.validUntil = until;
      return;
    }
    for (const it of items) {
      const status = String(it.existing?.status ?? 'draft');
      if (!LOCKED.has(status)) continue;
      for (const key of Object.keys(it.values))
        if (!WRITABLE_WHEN_LOCKED.has(key))
          it.errors.push({
            field: key,
            code: 'quote_locked',
            message: st(ctx.principal.locale, status === 'approved' ? 'quote_locked' : 'quote_status', {
              status: statusLabel(ctx, status, ctx.principal.locale),
            }),
          });
    }
  },
};

// ------------------------------------------------------------------ revisions

/** What an approval decided on: product, quantity, price, discount and tax of every line. */
const terms = (lines: LineOut[]) =>
  JSON.stringify(lines.map((l) => [l.productId, l.quantity, l.unitPrice, l.discountPercent, l.taxRate]));

const asInput = (l: LineOut): LineIn => ({
  productId: l.productId,
  productName: l.productName,
  description: l.description,
  quantity: l.quantity,
  unitPrice: l.unitPrice,
  discountPercent: l.discountPercent,
  taxRate: l.taxRate,
});

/**
 * Editing an approved quote: revision n + 1 is created with the change, the approved one becomes
 * 已修订 (kept, read-only). The rule (modules/sales/README.md): a change of product, quantity, unit
 * price, discount or tax re-runs approval (the new revision is submitted, so the flow decides
 * again); a change of validity, notes or name alone keeps the approval and the revision is
 * approved at once. The customer's link follows an approved revision and is withdrawn otherwise.
 */
export async function reviseQuote(ctx: RecordCtx, id: string, body: ReviseBody, locale: Locale) {
  const quote = await liveRecord(ctx, id);
  const tenantId = ctx.principal.tenantId;
  const currency = String(quote.currency ?? 'CNY');
  // New lines are checked first: a product the caller cannot see is a field error whatever the state.
  const given = body.lines ? await priceLines(ctx.tx, ctx.principal, ctx.actor, currency, body.lines) : null;
  const status = String(quote.status ?? 'draft');
  if (status === 'superseded') {
    const next = await latestRevision(ctx.tx, tenantId, rootOf(quote));
    throw salesProblem('conflict', locale, 'quote_superseded', { revision: next });
  }
  if (status !== 'approved')
    throw salesProblem('conflict', locale, 'quote_status', { status: statusLabel(ctx, status, locale) });
  const old = await readLines(ctx.tx, tenantId, quote.id);
  const priced = given ?? (await priceLines(ctx.tx, ctx.principal, ctx.actor, currency, old.map(asInput)));
  const rerun = terms(priced.lines) !== terms(old);
  const root = rootOf(quote);
  const [created] = await createRecords(
    ctx,
    [
      {
        name: body.name ?? quote.name,
        customerId: quote.customerId,
        opportunityId: quote.opportunityId ?? null,
        contactId: quote.contactId ?? null,
        currency,
        validUntil: body.validUntil !== undefined ? body.validUntil : (quote.validUntil ?? null),
        channel: quote.channel ?? null,
        notes: body.notes !== undefined ? body.notes : (quote.notes ?? null),
        revision: (await latestRevision(ctx.tx, tenantId, root)) + 1,
        revisionOf: root,
        ownerId: quote.ownerId,
        unitId: quote.unitId,
      },
    ],
    { trusted: true, via: 'quote_revision' },
  );
  const newId = created!.id!;
  await writeLines(ctx, newId, currency, priced, rerun ? {} : { status: 'approved' }, 'quote_revision');
  await updateRecords(ctx, [{ id: quote.id, changes: { status: 'superseded' } }], {
    trusted: true,
    via: 'quote_revision',
  });
  const approval = rerun ? (await submitQuote(ctx, newId, locale)).approval : null;
  const current = await quoteWithLines(ctx, newId);
  // The link the customer holds shows the quote in force: it moves to an approved revision.
  const held = (
    await sql<{ share_token: string | null; shared_at: Date | null }>`
      select share_token, shared_at from quotes where tenant_id = ${tenantId} and id = ${quote.id}`.execute(
      ctx.tx,
    )
  ).rows[0];
  await sql`update quotes set superseded_by = ${newId}, share_token = null, shared_at = null
    where tenant_id = ${tenantId} and id = ${quote.id}`.execute(ctx.tx);
  if (held?.share_token && current.quote.status === 'approved')
    await sql`update quotes set share_token = ${held.share_token}, shared_at = ${held.shared_at}
      where tenant_id = ${tenantId} and id = ${newId}`.execute(ctx.tx);
  return { ...current, previousId: quote.id, approvalRerun: rerun, approval };
}

const rootOf = (q: RecordOut) => (typeof q.revisionOf === 'string' ? q.revisionOf : q.id);

async function latestRevision(tx: Tx, tenantId: string, root: string): Promise<number> {
  const r = (
    await sql<{ n: number | null }>`select max(revision)::int as n from quotes
      where tenant_id = ${tenantId} and (id = ${root} or revision_of = ${root})`.execute(tx)
  ).rows[0];
  return r?.n ?? 1;
}

// ------------------------------------------------------------------ the document view

export async function quoteDocument(ctx: RecordCtx, id: string): Promise<QuoteDocument> {
  const quote = await liveRecord(ctx, id);
  const tenantId = ctx.principal.tenantId;
  const root = rootOf(quote);
  const revisions = await listRecords(ctx, {
    filter: {
      or: [
        { field: 'id', op: 'eq', value: root },
        { field: 'revisionOf', op: 'eq', value: root },
      ],
    },
    sort: '-revision',
    limit: 100,
  });
  const row = (
    await sql<{ share_token: string | null; shared_at: Date | null; superseded_by: string | null }>`
      select share_token, shared_at, superseded_by from quotes where tenant_id = ${tenantId} and id = ${quote.id}`.execute(
      ctx.tx,
    )
  ).rows[0];
  const views = (
    await sql<{ n: number; last: Date | null }>`select count(*)::int as n, max(at) as last from audit_log
      where tenant_id = ${tenantId} and object = 'quote' and record_id = ${quote.id} and action = 'customer_view'`.execute(
      ctx.tx,
    )
  ).rows[0];
  const status = String(quote.status ?? 'draft');
  return {
    revision: Number(quote.revision ?? 1),
    revisions: revisions.items.map((r) => ({
      id: r.id,
      revision: Number(r.revision ?? 1),
      status: String(r.status ?? 'draft'),
      total: (r.total as { amount: number; currency: string } | null | undefined) ?? null,
      validUntil: typeof r.validUntil === 'string' ? r.validUntil : null,
      createdAt: String(r.createdAt),
    })),
    supersededBy: row?.superseded_by ?? null,
    expired: isExpired(quote),
    locked: LOCKED.has(status) || status === 'pending_approval',
    share: row?.share_token ? shareOut(row.share_token, row.shared_at!, quote) : null,
    views: { count: views?.n ?? 0, lastAt: views?.last ? new Date(views.last).toISOString() : null },
  };
}

const shareOut = (token: string, at: Date, quote: Record<string, unknown>) => ({
  path: `/q/${token}`,
  sharedAt: new Date(at).toISOString(),
  expiresOn: typeof quote.validUntil === 'string' ? quote.validUntil : null,
});

// ------------------------------------------------------------------ share link

const SHAREABLE = new Set(['approved', 'accepted']);

/** The customer's link to an approved quote (the same link again while it stands). */
export async function shareQuote(ctx: RecordCtx, id: string, locale: Locale) {
  const quote = await liveRecord(ctx, id);
  if (!SHAREABLE.has(String(quote.status))) throw salesProblem('conflict', locale, 'quote_not_shareable');
  if (typeof quote.validUntil === 'string' && quote.validUntil < todayInTenant())
    throw salesProblem('conflict', locale, 'quote_expired', { date: quote.validUntil });
  const tenantId = ctx.principal.tenantId;
  const row = (
    await sql<{ share_token: string; shared_at: Date }>`
      update quotes set share_token = coalesce(share_token, ${newShareToken(tenantId)}),
        shared_at = coalesce(shared_at, now())
      where tenant_id = ${tenantId} and id = ${quote.id}
      returning share_token, shared_at`.execute(ctx.tx)
  ).rows[0]!;
  await writeAudit(ctx.tx, ctx.actor, { action: 'share', object: 'quote', recordId: quote.id });
  return shareOut(row.share_token, row.shared_at, quote);
}

/** Withdraws the link: the customer's page answers 404 from now on. */
export async function revokeShare(ctx: RecordCtx, id: string) {
  const quote = await liveRecord(ctx, id);
  const r = await sql`update quotes set share_token = null, shared_at = null
    where tenant_id = ${ctx.principal.tenantId} and id = ${quote.id} and share_token is not null`.execute(
    ctx.tx,
  );
  if (Number(r.numAffectedRows ?? 0) > 0)
    await writeAudit(ctx.tx, ctx.actor, { action: 'share_revoke', object: 'quote', recordId: quote.id });
}

// ------------------------------------------------------------------ printable form

/** The quote as the PDF prints it, read through the record engine (the viewer's scope and masking). */
export async function printableFor(ctx: RecordCtx, id: string, locale: Locale): Promise<Printable> {
  const { quote, lines } = await quoteWithLines(ctx, id);
  const owner = (
    await sql<{ name: string; phone: string | null; email: string | null }>`
      select name, phone, email from users where tenant_id = ${ctx.principal.tenantId} and id = ${quote.ownerId}`.execute(
      ctx.tx,
    )
  ).rows[0];
  return {
    locale,
    company: await getQuoteSettings(ctx.tx, ctx.principal.tenantId),
    name: String(quote.name ?? ''),
    revision: Number(quote.revision ?? 1),
    status: String(quote.status ?? 'draft'),
    customerName: quote._display?.customerId ?? '',
    ownerName: owner?.name ?? null,
    date: todayInTenant(new Date(String(quote.createdAt))),
    stamp: new Date(String(quote.updatedAt ?? quote.createdAt)),
    validUntil: typeof quote.validUntil === 'string' ? quote.validUntil : null,
    currency: String(quote.currency ?? 'CNY'),
    lines,
    totals: {
      subtotal: (quote.subtotal as { amount: number } | null)?.amount ?? 0,
      discountTotal: (quote.discountTotal as { amount: number } | null)?.amount ?? 0,
      taxTotal: (quote.taxTotal as { amount: number } | null)?.amount ?? 0,
      total: (quote.total as { amount: number } | null)?.amount ?? 0,
      discountPercent: Number(quote.discountPercent ?? 0),
    },
    notes: typeof quote.notes === 'string' ? quote.notes : null,
  };
}

/** Audits a PDF download like an export: who took which quote out of the system. */
export async function auditPdf(ctx: RecordCtx, id: string) {
  await writeAudit(ctx.tx, ctx.actor, {
    action: 'export',
    object: 'quote',
    recordId: id,
    meta: { format: 'pdf' },
  });
}

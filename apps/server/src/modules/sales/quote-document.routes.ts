import {
  SALES_PERMISSIONS as P,
  QuoteDocument,
  QuoteRevised,
  QuoteSettings,
  QuoteSettingsInput,
  QuoteShare,
  ReviseBody,
} from '@kehu/contracts/sales';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { contentDisposition } from '../../engine/records/export/cells.ts';
import { recordCtx } from '../../engine/records/record.service.ts';
import {
  auditPdf,
  getQuoteSettings,
  printableFor,
  putQuoteSettings,
  quoteDocument,
  reviseQuote,
  revokeShare,
  shareQuote,
} from './quote-document.service.ts';
import { renderQuotePdf } from './quote-pdf.ts';

const quoteCtx = (req: { principal: any; actor: any }, tx: any) =>
  recordCtx(tx, req.principal, req.actor, 'quote');

/** Quotes as documents (issue 9 §4): revisions, PDF, share link, letterhead. */
export const quoteDocumentRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/quotes/:id/document',
    permission: P.quote.read,
    probe: { params: { id: 'quote' } },
    summary: 'Revisions, expiry, lock, share link and customer views of a quote',
    tags: ['sales'],
    params: idParam,
    response: QuoteDocument,
    handler: (req) => req.tx(async (tx) => quoteDocument(await quoteCtx(req, tx), req.params.id)),
  }),
  defineRoute({
    method: 'POST',
    url: '/quotes/:id/revisions',
    permission: P.quote.update,
    probe: { params: { id: 'quote' }, body: { 'lines.0.productId': 'product' } },
    summary:
      'Change an approved quote: makes revision n + 1 (the approved one is kept read-only); approval re-runs when price, quantity, discount or tax changed',
    tags: ['sales'],
    params: idParam,
    body: ReviseBody,
    status: 201,
    response: QuoteRevised,
    handler: (req) =>
      req.tx(async (tx) => reviseQuote(await quoteCtx(req, tx), req.params.id, req.body, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/quotes/:id/pdf',
    permission: P.quote.read,
    probe: { params: { id: 'quote' } },
    summary: 'The quote as a PDF in the company letterhead (Chinese font embedded); audited as an export',
    tags: ['sales'],
    params: idParam,
    file: ['application/pdf'],
    handler: async (req, reply) => {
      const printable = await req.tx(async (tx) => {
        const ctx = await quoteCtx(req, tx);
        const p = await printableFor(ctx, req.params.id, req.locale);
        await auditPdf(ctx, req.params.id);
        return p;
      });
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', contentDisposition(`${printable.name}-v${printable.revision}.pdf`))
        .header('cache-control', 'no-store')
        .send(await renderQuotePdf(printable));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/quotes/:id/share',
    permission: P.quote.update,
    probe: { params: { id: 'quote' } },
    summary: 'A link the customer opens without signing in (/q/<token>), valid through the quote validity',
    tags: ['sales'],
    params: idParam,
    response: QuoteShare,
    handler: (req) => req.tx(async (tx) => shareQuote(await quoteCtx(req, tx), req.params.id, req.locale)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/quotes/:id/share',
    permission: P.quote.update,
    probe: { params: { id: 'quote' } },
    summary: 'Withdraw the customer link (it answers 404 from then on)',
    tags: ['sales'],
    params: idParam,
    status: 204,
    handler: (req) => req.tx(async (tx) => revokeShare(await quoteCtx(req, tx), req.params.id)),
  }),
  defineRoute({
    method: 'GET',
    url: '/sales/quote-settings',
    permission: P.quote.read,
    summary: 'Letterhead (company name, logo, address) and default validity of quote documents',
    tags: ['sales'],
    response: QuoteSettings,
    handler: (req) => req.tx((tx) => getQuoteSettings(tx, req.principal.tenantId)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/sales/quote-settings',
    permission: P.configure,
    summary: 'Change the letterhead and default validity of quote documents',
    tags: ['sales'],
    body: QuoteSettingsInput,
    response: QuoteSettings,
    handler: (req) => req.tx((tx) => putQuoteSettings(tx, req.principal.tenantId, req.body)),
  }),
];

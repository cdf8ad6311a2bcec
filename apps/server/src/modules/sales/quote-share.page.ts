import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { writeAudit } from '../../core/audit/audit.ts';
import { RateLimiter } from '../../core/auth/rate-limit.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { AppError } from '../../core/errors.ts';
import { escapeHtml as esc } from '../../core/http/html.ts';
import { type Locale, pickLocale } from '../../core/i18n/locale.ts';
import { contentDisposition } from '../../engine/records/export/cells.ts';
import { readLines } from './quote.service.ts';
import { getQuoteSettings } from './quote-document.service.ts';
import { money, type Printable, quoteText, renderQuotePdf, rmbInWords } from './quote-pdf.ts';
import { tenantOfShareToken } from './quote-share-token.ts';
import { todayInTenant } from './quote-validity.ts';

/** Per IP: a customer opens a link a few times; a scanner guessing tokens is cut off. */
const limiter = new RateLimiter(Number(process.env.QUOTE_SHARE_RATE_LIMIT ?? 60), 60_000);

const PAGE_TEXT = {
  'zh-CN': {
    gone: '链接无效或已过期',
    goneHint: '报价链接可能已被撤回，或报价已超过有效期。请联系您的销售代表获取最新报价。',
    download: '下载 PDF',
    contact: '如有疑问，请联系',
  },
  'en-US': {
    gone: 'This link is not valid',
    goneHint:
      'The link may have been withdrawn or the quote has expired. Please ask your sales contact for a current quote.',
    download: 'Download PDF',
    contact: 'Questions? Contact',
  },
} as const;

/**
 * The customer's page of a shared quote: `/q/<token>` (a small HTML page for a phone, no script,
 * no sign-in) and `/q/<token>/pdf`. The one public way into a tenant's quotes, deliberately
 * outside the /api/v1 registrar: it needs no principal because the token is the authority, and
 * it reveals only the printed quote (letterhead, lines, totals, validity, notes, the owner's
 * name), never ids or internal fields. Wrong, withdrawn and expired links are the same 404.
 * Each opening is written to the quote's timeline (audit action `customer_view`).
 */
export async function registerQuoteShare(app: FastifyInstance, database: Database): Promise<void> {
  app.get<{ Params: { token: string } }>('/q/:token', (req, reply) => serve(database, req, reply, 'page'));
  app.get<{ Params: { token: string } }>('/q/:token/pdf', (req, reply) => serve(database, req, reply, 'pdf'));
}

async function serve(
  database: Database,
  req: FastifyRequest<{ Params: { token: string } }>,
  reply: FastifyReply,
  format: 'page' | 'pdf',
) {
  const locale = pickLocale(req.headers['accept-language']);
  try {
    limiter.hit(req.ip);
  } catch (e) {
    if (e instanceof AppError) return gone(reply, locale, 429);
    throw e;
  }
  const doc = await openShared(database, req.params.token, {
    locale,
    ip: req.ip,
    format,
    mobile: /Mobile|Android|iPhone/i.test(String(req.headers['user-agent'] ?? '')),
    // A HEAD (link checkers, previews probing the type) is nobody reading the quote.
    record: req.method === 'GET',
  });
  reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
  if (!doc) return gone(reply, locale, 404);
  if (format === 'pdf')
    return reply
      .type('application/pdf')
      .header('content-disposition', contentDisposition(`${doc.name}-v${doc.revision}.pdf`))
      .send(await renderQuotePdf(doc));
  return reply.type('text/html; charset=utf-8').send(page(doc, req.params.token));
}

/** The shared quote if the token names a live, shared quote within its validity; records the view. */
export async function openShared(
  database: Database,
  token: string,
  opts: { locale: Locale; ip: string; format: 'page' | 'pdf'; mobile: boolean; record: boolean },
): Promise<Printable | null> {
  const tenantId = tenantOfShareToken(token);
  if (!tenantId) return null;
  return inTenant(database.db, tenantId, async (tx) => {
    const q = (
      await sql<any>`
        select q.id, q.name, q.revision, q.status, q.currency, q.valid_until::text as valid_until, q.notes,
          q.subtotal, q.discount_total, q.tax_total, q.total, q.discount_percent, q.created_at, q.updated_at,
          c.name as customer_name, u.name as owner_name
        from quotes q
        left join customers c on c.tenant_id = q.tenant_id and c.id = q.customer_id
        left join users u on u.tenant_id = q.tenant_id and u.id = q.owner_id
        where q.tenant_id = ${tenantId} and q.share_token = ${token} and q.deleted_at is null
          and q.status in ('approved', 'accepted')`.execute(tx)
    ).rows[0];
    if (!q) return null;
    if (q.valid_until && q.valid_until < todayInTenant()) return null;
    if (opts.record)
      await writeAudit(
        tx,
        { tenantId, actorId: null, actorKind: 'system', ip: opts.ip },
        {
          action: 'customer_view',
          object: 'quote',
          recordId: q.id,
          meta: { format: opts.format, device: opts.mobile ? 'mobile' : 'desktop' },
        },
      );
    const amount = (m: { amount?: number } | null) => Number(m?.amount ?? 0);
    return {
      locale: opts.locale,
      company: await getQuoteSettings(tx, tenantId),
      name: String(q.name),
      revision: Number(q.revision ?? 1),
      status: String(q.status),
      customerName: String(q.customer_name ?? ''),
      ownerName: q.owner_name ?? null,
      date: todayInTenant(new Date(q.created_at)),
      stamp: new Date(q.updated_at),
      validUntil: q.valid_until ?? null,
      currency: String(q.currency ?? 'CNY'),
      lines: await readLines(tx, tenantId, q.id),
      totals: {
        subtotal: amount(q.subtotal),
        discountTotal: amount(q.discount_total),
        taxTotal: amount(q.tax_total),
        total: amount(q.total),
        discountPercent: Number(q.discount_percent ?? 0),
      },
      notes: q.notes ?? null,
    };
  });
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:-apple-system,"PingFang SC","Noto Sans SC","Microsoft YaHei",sans-serif;
background:#f5f5f5;color:#1f1f1f;font-size:15px;line-height:1.5}
main{max-width:720px;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:10px;padding:16px;margin-bottom:12px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
header.card{display:flex;gap:12px;align-items:center;border-top:4px solid #1677ff}
header img{max-width:64px;max-height:48px}
h1{font-size:18px;margin:0}h2{font-size:20px;margin:0 0 4px}
.muted{color:#8c8c8c;font-size:13px}
.facts{display:grid;grid-template-columns:auto 1fr;gap:4px 12px;margin-top:8px}
.line{padding:10px 0;border-bottom:1px solid #f0f0f0}.line:last-child{border-bottom:0}
.line .top{display:flex;justify-content:space-between;gap:8px;font-weight:600}
.row{display:flex;justify-content:space-between;padding:3px 0}
.total{font-size:20px;font-weight:700;color:#1677ff}
.btn{display:block;text-align:center;background:#1677ff;color:#fff;text-decoration:none;padding:12px;border-radius:8px;font-weight:600}
pre{white-space:pre-wrap;font-family:inherit;margin:4px 0 0}`;

function page(p: Printable, token: string): string {
  const T = quoteText(p.locale);
  const P = PAGE_TEXT[p.locale === 'en-US' ? 'en-US' : 'zh-CN'];
  const company = p.company.companyName ?? p.company.tenantName;
  const contact = [p.company.address, p.company.phone, p.company.email].filter(Boolean).map(esc).join(' · ');
  const lines = p.lines
    .map(
      (l) => `<div class="line" data-testid="share-line">
  <div class="top"><span>${esc(l.productName)}</span><span>${esc(money(l.total, p.currency))}</span></div>
  ${l.description ? `<div class="muted">${esc(l.description)}</div>` : ''}
  <div class="muted">${esc(l.quantity)} × ${esc(money(l.unitPrice, p.currency))}${
    l.discountPercent ? ` · ${esc(T.discount)} ${esc(Number(l.discountPercent.toFixed(2)))}%` : ''
  } · ${esc(T.tax)} ${esc(l.taxRate)}%</div>
</div>`,
    )
    .join('');
  const row = (k: string, v: string, id?: string) =>
    `<div class="row"><span class="muted">${esc(k)}</span><span${id ? ` data-testid="${id}"` : ''}>${esc(v)}</span></div>`;
  return `<!doctype html>
<html lang="${p.locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(company)} · ${esc(p.name)}</title><style>${STYLE}</style></head>
<body><main data-testid="share-page">
<header class="card">${p.company.logo ? `<img src="${esc(p.company.logo)}" alt="">` : ''}
<div><h1 data-testid="share-company">${esc(company)}</h1>${contact ? `<div class="muted">${contact}</div>` : ''}</div></header>
<section class="card">
<h2>${esc(T.title.replaceAll(' ', ''))}</h2>
<div class="facts">
<span class="muted">${esc(T.no)}</span><span data-testid="share-name">${esc(p.name)} · v${p.revision}</span>
<span class="muted">${esc(T.customer)}</span><span data-testid="share-customer">${esc(p.customerName)}</span>
<span class="muted">${esc(T.date)}</span><span>${esc(p.date)}</span>
<span class="muted">${esc(T.validUntil)}</span><span data-testid="share-valid">${esc(p.validUntil ?? '—')}</span>
</div></section>
<section class="card">${lines}</section>
<section class="card">
${row(T.subtotal, money(p.totals.subtotal, p.currency))}
${row(T.discountTotal, `${p.totals.discountTotal ? '-' : ''}${money(p.totals.discountTotal, p.currency)}`)}
${row(T.taxTotal, money(p.totals.taxTotal, p.currency))}
<div class="row"><strong>${esc(T.total)}</strong><span class="total" data-testid="share-total">${esc(money(p.totals.total, p.currency))}</span></div>
${p.currency === 'CNY' ? `<div class="muted" style="text-align:right">${esc(T.inWords)}：${esc(rmbInWords(p.totals.total))}</div>` : ''}
</section>
${p.notes ? `<section class="card"><strong>${esc(T.notes)}</strong><pre>${esc(p.notes)}</pre></section>` : ''}
${p.company.terms ? `<section class="card"><strong>${esc(T.terms)}</strong><pre>${esc(p.company.terms)}</pre></section>` : ''}
<a class="btn" href="/q/${esc(token)}/pdf" data-testid="share-pdf">${esc(P.download)}</a>
${p.ownerName ? `<p class="muted" style="text-align:center">${esc(P.contact)} ${esc(p.ownerName)}</p>` : ''}
</main></body></html>`;
}

function gone(reply: FastifyReply, locale: Locale, status: number) {
  const P = PAGE_TEXT[locale === 'en-US' ? 'en-US' : 'zh-CN'];
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><html lang="${locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${esc(P.gone)}</title><style>${STYLE}</style></head><body><main data-testid="share-gone">
<section class="card"><h2>${esc(P.gone)}</h2><p class="muted">${esc(P.goneHint)}</p></section></main></body></html>`);
}

import { PublicRegistration } from '@kehu/contracts/campaigns';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import QRCode from 'qrcode';
import { RateLimiter } from '../../core/auth/rate-limit.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { AppError } from '../../core/errors.ts';
import { escapeHtml as esc } from '../../core/http/html.ts';
import { zodToFieldErrors } from '../../core/http/problem.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { gt } from './campaigns.messages.ts';
import { REGISTER_JS } from './public.script.ts';
import { tenantOfToken } from './public-token.ts';
import { register, sendRegistrationToCdp, withPublicCampaign } from './registration.service.ts';

/** Per address: a person opens a page and registers once or twice; a script is cut off. */
const pageLimiter = new RateLimiter(Number(process.env.CAMPAIGN_PAGE_RATE_LIMIT ?? 120), 60_000);
const registerLimiter = new RateLimiter(Number(process.env.CAMPAIGN_REGISTER_RATE_LIMIT ?? 10), 60_000);

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const localeOf = (req: FastifyRequest): Locale =>
  /^en/i.test(String(req.headers['accept-language'] ?? '')) ? 'en-US' : 'zh-CN';

const STYLE = `body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f7fa;color:#1f2329}
main{max-width:480px;margin:0 auto;padding:20px 16px 40px}h1{font-size:22px;margin:8px 0}.meta{color:#646a73;font-size:14px}
.card{background:#fff;border-radius:12px;padding:16px;margin-top:16px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
label{display:block;margin:12px 0 4px;font-weight:500}input,textarea{box-sizing:border-box;width:100%;font-size:16px;padding:12px;border:1px solid #d0d3d6;border-radius:8px}
input:focus,textarea:focus{outline:2px solid #1677ff;border-color:#1677ff}.check{display:flex;gap:8px;align-items:flex-start;font-weight:400}
.check input{width:20px;height:20px;margin-top:2px}button{width:100%;margin-top:20px;padding:14px;font-size:17px;border:0;border-radius:8px;background:#1677ff;color:#fff}
button:disabled{opacity:.6}.err{color:#d4380d;font-size:14px;min-height:1em}.ok{text-align:center}.ok img{width:240px;height:240px}`;

function shell(locale: Locale, title: string, body: string) {
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

function formPage(locale: Locale, c: any, link: string | null) {
  const fmt = (d: Date) =>
    d.toLocaleString(locale, {
      timeZone: 'Asia/Shanghai',
      hour12: false,
      dateStyle: 'medium',
      timeStyle: 'short',
    });
  const fields = (c.form_fields as Array<{ key: string; label: string; required: boolean }>)
    .map((f) =>
      f.key === 'note'
        ? `<label for="f_${f.key}">${esc(f.label)}${f.required ? ' *' : ''}</label><textarea id="f_${f.key}" name="${f.key}" rows="3" maxlength="200"${f.required ? ' required' : ''}></textarea>`
        : `<label for="f_${f.key}">${esc(f.label)}${f.required ? ' *' : ''}</label><input id="f_${f.key}" name="${f.key}" maxlength="200"${f.key === 'email' ? ' type="email" autocomplete="email"' : ''}${f.key === 'name' ? ' autocomplete="name"' : ''}${f.required ? ' required' : ''}>`,
    )
    .join('');
  const consents = (c.consent_purposes as string[])
    .map(
      (p) =>
        `<label class="check"><input type="checkbox" name="consent" value="${esc(p)}"><span>${esc(gt(locale, `consent_${p}`))}</span></label>`,
    )
    .join('');
  return shell(
    locale,
    c.name,
    `<h1>${esc(c.name)}</h1><div class="meta">${esc(fmt(new Date(c.starts_at)))} – ${esc(fmt(new Date(c.ends_at)))}${c.venue ? ` · ${esc(c.venue)}` : ''}</div>
${c.description ? `<p>${esc(c.description)}</p>` : ''}
<form class="card" id="reg" data-link="${esc(link ?? '')}" data-phone-invalid="${esc(gt(locale, 'phone_invalid'))}" data-done="${esc(gt(locale, 'registered'))}" data-hint="${esc(gt(locale, 'ticket_hint'))}" novalidate>
<label for="f_phone">${esc(gt(locale, 'phone'))} *</label><input id="f_phone" name="phone" type="tel" inputmode="numeric" autocomplete="tel" maxlength="11" required>
${fields}${consents}<div class="err" id="err" role="alert"></div><button type="submit">${esc(gt(locale, 'register'))}</button></form>
<script src="/r/register.js"></script>`,
  );
}

export async function registerCampaignPages(app: FastifyInstance, database: Database): Promise<void> {
  app.get('/r/register.js', (_req, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(REGISTER_JS),
  );
  app.get<{ Params: { token: string }; Querystring: { l?: string } }>('/r/:token', async (req, reply) => {
    const locale = localeOf(req);
    reply.header('cache-control', 'no-store').header('content-security-policy', CSP);
    try {
      pageLimiter.hit(req.ip);
    } catch {
      return reply
        .status(429)
        .type('text/html; charset=utf-8')
        .send(shell(locale, '429', `<p>${gt(locale, 'too_many')}</p>`));
    }
    const r = await withPublicCampaign(database, req.params.token, async () => null);
    if (!r)
      return reply
        .status(404)
        .type('text/html; charset=utf-8')
        .send(shell(locale, '404', `<p class="card">${esc(gt(locale, 'not_found_page'))}</p>`));
    const link =
      typeof req.query.l === 'string' && /^[A-Za-z0-9_-]{6}$/.test(req.query.l) ? req.query.l : null;
    return reply.type('text/html; charset=utf-8').send(formPage(locale, r.campaign, link));
  });
  app.post<{ Params: { token: string } }>('/r/:token/register', async (req, reply) => {
    registerLimiter.hit(req.ip);
    const locale = localeOf(req);
    const parsed = PublicRegistration.safeParse(req.body ?? {});
    if (!parsed.success) {
      const errors = zodToFieldErrors(parsed.error).map((e) =>
        e.field === 'phone' ? { ...e, message: gt(locale, 'phone_invalid') } : e,
      );
      throw new AppError('validation', 422, {
        errors,
        detailKey: 'validation.fields',
        params: { count: errors.length },
      });
    }
    const r = await withPublicCampaign(database, req.params.token, (tx, c) =>
      register(tx, c, locale, parsed.data),
    );
    if (!r) throw new AppError('not_found', 404, { detailKey: 'not_found', params: { what: 'campaign' } });
    await sendRegistrationToCdp(
      database,
      r.campaign,
      r.value.registrationId,
      parsed.data.phone,
      parsed.data.fields.name,
    );
    const qr = await QRCode.toDataURL(r.value.ticket, { margin: 1, width: 240 });
    return reply.status(201).send({ ok: true, ticket: r.value.ticket, qr });
  });
  // A channel's short link: count the click, land on the form with the UTM parameters.
  app.get<{ Params: { token: string } }>('/l/:token', async (req, reply) => {
    pageLimiter.hit(req.ip);
    const tenantId = tenantOfToken(req.params.token, 6);
    if (!tenantId) return reply.status(404).send();
    const code = req.params.token.slice(22);
    const target = await inTenant(database.db, tenantId, async (tx) => {
      const l = (
        await sql<any>`update campaign_links l set clicks = clicks + 1 from campaigns c
          where l.tenant_id = ${tenantId} and l.code = ${code} and c.tenant_id = l.tenant_id and c.id = l.campaign_id
            and c.status = 'published'
          returning l.*, c.public_token, c.name as campaign_name`.execute(tx)
      ).rows[0];
      if (!l) return null;
      const q = new URLSearchParams({
        utm_source: l.utm_source,
        utm_medium: l.utm_medium,
        utm_campaign: l.campaign_name,
        ...(l.utm_content ? { utm_content: l.utm_content } : {}),
        l: l.code,
      });
      return `/r/${l.public_token}?${q}`;
    });
    if (!target) return reply.status(404).send();
    return reply.header('cache-control', 'no-store').redirect(target, 302);
  });
}

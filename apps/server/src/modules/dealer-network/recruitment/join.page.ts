import type { FastifyInstance } from 'fastify';
import type { Database } from '../../../core/db/database.ts';
import { AppError } from '../../../core/errors.ts';
import { escapeHtml as esc } from '../../../core/http/html.ts';
import { type Locale, pickLocale } from '../../../core/i18n/locale.ts';
import { JOIN_JS } from './join.script.ts';
import { publicForm } from './recruitment.service.ts';

/** Scripts only from here; the files never leave the page except to our own API. */
const JOIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const T: Record<Locale, Record<string, string>> = {
  'zh-CN': {
    title: '经销商招商申请',
    intro: '填写贵公司信息并上传资质文件，我们会在 2 个工作日内联系您。',
    company: '公司名称',
    contactName: '联系人',
    phone: '手机号',
    email: '邮箱（选填）',
    region: '意向区域',
    category: '经营品类',
    message: '补充说明（选填）',
    documents: '资质文件（营业执照等，PDF/PNG/JPEG，每个不超过 {mb} MB，最多 3 个）',
    kind: '文件类型',
    license: '营业执照',
    qualification: '资质证明',
    other: '其他',
    submit: '提交申请',
    sending: '正在提交…',
    thanks: '申请已提交，编号 {ref}。我们会尽快与您联系。',
    failed: '提交未成功，请检查标红的内容。',
    closed: '招商申请表不存在或已关闭。',
    tooMany: '提交过于频繁，请稍后再试。',
    lang: 'English',
  },
  'en-US': {
    title: 'Become a dealer',
    intro:
      'Tell us about your company and upload your qualification documents; we will contact you within 2 working days.',
    company: 'Company name',
    contactName: 'Contact person',
    phone: 'Mobile phone',
    email: 'E-mail (optional)',
    region: 'Region you want to cover',
    category: 'Product category',
    message: 'Anything else (optional)',
    documents: 'Qualification documents (business licence etc., PDF/PNG/JPEG, up to {mb} MB each, at most 3)',
    kind: 'Document type',
    license: 'Business licence',
    qualification: 'Qualification',
    other: 'Other',
    submit: 'Send application',
    sending: 'Sending…',
    thanks: 'Your application {ref} has been received. We will be in touch soon.',
    failed: 'The application was not sent; please check the fields marked in red.',
    closed: 'This application form does not exist or is closed.',
    tooMany: 'Too many submissions; please try again later.',
    lang: '中文',
  },
};

const CSS = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f5f5;color:#1f1f1f}
main{max-width:560px;margin:0 auto;padding:16px}
.card{background:#fff;border-radius:12px;padding:20px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
h1{font-size:22px;margin:0 0 4px}.brand{color:#1677ff;font-weight:600;font-size:14px}.intro{color:#595959;margin:8px 0 16px}
label{display:block;font-weight:500;margin:14px 0 6px}input,select,textarea{width:100%;font:inherit;padding:10px 12px;border:1px solid #d9d9d9;border-radius:8px;background:#fff}
input:focus,select:focus,textarea:focus{outline:2px solid #1677ff;outline-offset:0;border-color:#1677ff}
textarea{min-height:88px}.hp{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}
.err{color:#cf1322;font-size:14px;margin-top:4px;min-height:0}.bad{border-color:#cf1322}
.row{display:flex;gap:8px}.row select{flex:0 0 40%}
button{margin-top:20px;width:100%;padding:12px;font:inherit;font-weight:600;color:#fff;background:#1677ff;border:0;border-radius:8px;cursor:pointer}
button:disabled{opacity:.6}.note{margin-top:16px;padding:12px;border-radius:8px}.ok{background:#f6ffed;border:1px solid #b7eb8f}.ko{background:#fff2f0;border:1px solid #ffccc7}
.top{display:flex;justify-content:space-between;align-items:center;margin-bottom:8px}.top a{font-size:14px;color:#1677ff}
`;

function page(
  locale: Locale,
  key: string,
  spec: { tenantName: string; categories: string[]; maxDocumentBytes: number } | null,
) {
  const t = T[locale];
  const other = locale === 'zh-CN' ? 'en-US' : 'zh-CN';
  const field = (name: string, input: string) =>
    `<label for="f-${name}">${esc(t[name])}</label>${input}<div class="err" id="e-${name}" role="alert"></div>`;
  const body = !spec
    ? `<div class="card"><h1>${esc(t.title)}</h1><p class="note ko" data-testid="join-closed">${esc(t.closed)}</p></div>`
    : `<div class="card">
  <div class="brand">${esc(spec.tenantName)}</div>
  <h1>${esc(t.title)}</h1><p class="intro">${esc(t.intro)}</p>
  <form id="join" novalidate data-key="${esc(key)}" data-locale="${locale}" data-sending="${esc(t.sending)}" data-submit="${esc(t.submit)}"
    data-thanks="${esc(t.thanks)}" data-failed="${esc(t.failed)}" data-toomany="${esc(t.tooMany)}">
    ${field('company', '<input id="f-company" name="company" required maxlength="120" autocomplete="organization">')}
    ${field('contactName', '<input id="f-contactName" name="contactName" required maxlength="60" autocomplete="name">')}
    ${field('phone', '<input id="f-phone" name="phone" required inputmode="tel" autocomplete="tel" maxlength="20">')}
    ${field('email', '<input id="f-email" name="email" type="email" maxlength="200" autocomplete="email">')}
    ${field('region', '<input id="f-region" name="region" required maxlength="60">')}
    ${field(
      'category',
      `<select id="f-category" name="category">${spec.categories.map((c) => `<option>${esc(c)}</option>`).join('')}</select>`,
    )}
    ${field('message', '<textarea id="f-message" name="message" maxlength="2000"></textarea>')}
    <label for="f-documents">${esc(t.documents.replace('{mb}', String(Math.round(spec.maxDocumentBytes / 1048576))))}</label>
    <div class="row"><select id="f-kind" aria-label="${esc(t.kind)}"><option value="license">${esc(t.license)}</option>
      <option value="qualification">${esc(t.qualification)}</option><option value="other">${esc(t.other)}</option></select>
      <input id="f-documents" type="file" multiple accept="application/pdf,image/png,image/jpeg"></div>
    <div class="err" id="e-documents" role="alert"></div>
    <div class="hp" aria-hidden="true"><label for="f-website">Website</label><input id="f-website" name="website" tabindex="-1" autocomplete="off"></div>
    <button type="submit" id="send" data-testid="join-submit">${esc(t.submit)}</button>
    <div id="result" aria-live="polite"></div>
  </form></div>`;
  return `<!doctype html><html lang="${locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(t.title)}</title><style>${CSS}</style></head>
<body><main><div class="top"><span></span><a href="?lang=${other}">${esc(t.lang)}</a></div>${body}</main>
<script src="/join/app.js"></script></body></html>`;
}

/** 招商 public page `/join/<formKey>`: phone-first, no sign-in, zh-CN by default (`?lang=en-US`). */
export async function registerJoinPage(app: FastifyInstance, database: Database): Promise<void> {
  app.get('/join/app.js', (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(JOIN_JS),
  );
  app.get<{ Params: { formKey: string }; Querystring: { lang?: string } }>(
    '/join/:formKey',
    { config: { contentSecurityPolicy: JOIN_CSP } },
    async (req, reply) => {
      const locale = pickLocale(req.query.lang ?? req.headers['accept-language']);
      reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
      let spec = null;
      try {
        spec = await publicForm(database.db, req.params.formKey, locale);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        reply.status(404);
      }
      return reply.type('text/html; charset=utf-8').send(page(locale, req.params.formKey, spec));
    },
  );
}

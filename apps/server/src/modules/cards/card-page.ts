import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RateLimiter } from '../../core/auth/rate-limit.ts';
import type { Database } from '../../core/db/database.ts';
import { AppError } from '../../core/errors.ts';
import { escapeHtml as esc } from '../../core/http/html.ts';
import { fetchQrImage } from '../wecom/index.ts';
import { type PublicCard, recordVisit, sendToCdp, withCard } from './visit.service.ts';

const VISITOR_COOKIE = 'kehu_cv';
/** Per address: a visitor opens a few cards; a scanner guessing tokens is cut off. */
const limiter = new RateLimiter(Number(process.env.CARD_PAGE_RATE_LIMIT ?? 120), 60_000);
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Share: the system sheet on phones, else the link is copied. No data leaves but the page URL. */
const CARD_JS = `(function(){var b=document.getElementById('share');if(!b)return;b.addEventListener('click',function(){
var u=location.origin+location.pathname,t=document.title;if(navigator.share){navigator.share({title:t,url:u}).catch(function(){});return;}
var m=document.getElementById('share-msg');if(navigator.clipboard){navigator.clipboard.writeText(u).then(function(){m.hidden=false;});}else{m.textContent=u;m.hidden=false;}});})();`;

/**
 * The public card `/c/<token>` (no sign-in; the token is the authority), its add-me QR and script.
 * An unknown token and a disabled owner's card are the same 404 page.
 */
export async function registerCardPage(app: FastifyInstance, database: Database): Promise<void> {
  app.get('/c/card.js', (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(CARD_JS),
  );
  app.get<{ Params: { token: string } }>(
    '/c/:token',
    { config: { contentSecurityPolicy: CSP } },
    (req, reply) => serve(database, req, reply),
  );
  app.get<{ Params: { token: string } }>('/c/:token/qr', async (req, reply) => {
    reply.header('x-robots-tag', 'noindex');
    if (!hit(req)) return reply.status(429).send();
    const r = await withCard(database, req.params.token, async () => null);
    if (!r?.card.codeQr) return reply.status(404).type('text/plain').send('not found');
    const img = await fetchQrImage(r.card.codeQr, r.card.codeState ?? 'card', 'zh-CN');
    reply.header('content-type', img.type).header('cache-control', 'public, max-age=300');
    if (img.type === 'image/svg+xml')
      reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    return reply.send(img.body);
  });
}

function hit(req: FastifyRequest): boolean {
  try {
    limiter.hit(req.ip);
    return true;
  } catch (e) {
    if (e instanceof AppError) return false;
    throw e;
  }
}

async function serve(
  database: Database,
  req: FastifyRequest<{ Params: { token: string } }>,
  reply: FastifyReply,
) {
  reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
  if (!hit(req)) return gone(reply, 429);
  const cookie = req.cookies?.[VISITOR_COOKIE];
  const visitor =
    cookie && /^[A-Za-z0-9_-]{22}$/.test(cookie) ? cookie : randomBytes(16).toString('base64url');
  const r = await withCard(database, req.params.token, (tx, c) =>
    recordVisit(tx, c, visitor, req.headers['user-agent']),
  );
  if (!r) return gone(reply, 404);
  await sendToCdp(database, r.card.tenantId, r.value);
  if (cookie !== visitor)
    reply.setCookie(VISITOR_COOKIE, visitor, {
      path: '/c',
      httpOnly: true,
      sameSite: 'lax',
      maxAge: 365 * 86400,
    });
  return reply.type('text/html; charset=utf-8').send(page(req.params.token, r.card));
}

function page(token: string, c: PublicCard): string {
  const initial = esc([...c.name][0] ?? '?');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${esc(c.name)}的名片</title><style>${STYLE}</style></head>
<body><main data-testid="card">
<section class="head">
${c.photoUrl ? `<img class="photo" src="${esc(c.photoUrl)}" alt="">` : `<div class="photo ph" aria-hidden="true">${initial}</div>`}
<div><h1 data-testid="card-name">${esc(c.name)}</h1>
${c.title ? `<p class="title" data-testid="card-title">${esc(c.title)}</p>` : ''}
${c.unitName ? `<p class="muted">${esc(c.unitName)}</p>` : ''}</div>
</section>
${c.bio ? `<p class="bio">${esc(c.bio)}</p>` : ''}
${c.phone ? `<a class="btn ghost" href="tel:${esc(c.phone)}" data-testid="card-phone">致电 ${esc(c.phone)}</a>` : ''}
<section class="box">
${
  c.codeQr
    ? `<img class="qr" src="/c/${esc(token)}/qr" alt="添加${esc(c.name)}的企业微信" data-testid="card-qr">
<p class="muted center">长按识别二维码，添加我的企业微信</p>`
    : `<p class="muted center">${esc(c.name)}的企业微信二维码即将上线</p>`
}
</section>
${
  c.featured.length
    ? `<section class="box"><h2>推荐内容</h2><ul class="list" data-testid="card-featured">${c.featured
        .map((f) => `<li><a href="${esc(f.url)}" rel="noopener">${esc(f.title)}</a></li>`)
        .join('')}</ul></section>`
    : ''
}
<button id="share" type="button" class="btn" data-testid="card-share">分享名片</button>
<p id="share-msg" class="muted center" hidden>链接已复制，可粘贴发送给朋友</p>
</main><script src="/c/card.js" defer></script></body></html>`;
}

function gone(reply: FastifyReply, status: number) {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><html lang="zh-CN"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>名片不可用</title><style>${STYLE}</style></head><body><main data-testid="card-gone">
<h1>名片不存在或已停用</h1><p class="muted">请联系分享给您的顾问。</p></main></body></html>`);
}

const STYLE = `*{box-sizing:border-box}body{margin:0;background:#f2f4f7;color:#1f2329;font:16px/1.6 -apple-system,"PingFang SC","Noto Sans SC","Microsoft YaHei",sans-serif}
main{max-width:560px;margin:0 auto;padding:20px 16px 32px;min-height:100vh;background:#fff}
.head{display:flex;gap:16px;align-items:center}h1{font-size:22px;margin:0}h2{font-size:16px;margin:0 0 8px}
.photo{width:76px;height:76px;border-radius:50%;object-fit:cover;flex:none}.ph{display:flex;align-items:center;justify-content:center;background:#1677ff;color:#fff;font-size:32px}
.title{margin:2px 0;color:#4e5969}.muted{color:#6b7280;font-size:14px;margin:2px 0}.center{text-align:center}.bio{color:#4e5969}
.box{margin-top:16px;padding:16px;border-radius:12px;background:#f7f8fa}.qr{display:block;width:200px;height:200px;margin:0 auto;background:#fff}
.list{margin:0;padding-left:18px}.list a{color:#1677ff}
.btn{display:block;width:100%;padding:12px;border:0;border-radius:8px;background:#1677ff;color:#fff;text-align:center;font-size:16px;text-decoration:none;margin-top:16px}
.btn.ghost{background:#fff;color:#1677ff;border:1px solid #1677ff}`;

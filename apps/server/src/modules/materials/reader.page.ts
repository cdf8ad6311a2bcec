import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { RateLimiter } from '../../core/auth/rate-limit.ts';
import type { Database } from '../../core/db/database.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { escapeHtml as esc } from '../../core/http/html.ts';
import { zodToFieldErrors } from '../../core/http/problem.ts';
import { Beat, ReaderLead } from './material.schemas.ts';
import { fileBytes } from './material.service.ts';
import { staffPoster } from './poster.ts';
import { READER_JS } from './reader.script.ts';
import { readerUrl } from './share.service.ts';
import {
  forwardShare,
  recordBeat,
  recordLead,
  recordOpen,
  type SharedMaterial,
  sendToCdp,
  withShare,
} from './tracking.service.ts';

const VISITOR_COOKIE = 'kehu_mv';
/** Per address: a reader opens a few pages; a scanner guessing tokens is cut off. */
const limiter = new RateLimiter(Number(process.env.MATERIAL_READER_RATE_LIMIT ?? 120), 60_000);
/** Article images may come from anywhere over https; scripts only from here. */
const READER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const body = typeof value === 'string' ? safeJson(value) : value;
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const errors = zodToFieldErrors(r.error);
    throw new AppError('validation', 422, {
      errors,
      detailKey: 'validation.fields',
      params: { count: errors.length },
    });
  }
  return r.data;
}
function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

/**
 * The public reader of a shared material: `/m/<token>` (no sign-in; the token is the authority)
 * and the beacons its script sends. Unknown tokens and deleted materials are the same 404.
 */
export async function registerMaterialReader(app: FastifyInstance, database: Database): Promise<void> {
  app.get('/m/reader.js', (_req, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(READER_JS),
  );
  app.get<{ Params: { token: string } }>(
    '/m/:token',
    { config: { contentSecurityPolicy: READER_CSP } },
    (req, reply) => serve(database, req, reply),
  );
  app.post<{ Params: { token: string } }>('/m/:token/beat', async (req, reply) => {
    const beat = parse(Beat, req.body);
    const r = await withShare(database, req.params.token, (tx, s) => recordBeat(tx, s, beat));
    if (!r) throw notFound('material');
    await sendToCdp(database, r.share.tenantId, r.value.cdp);
    return reply.status(204).send();
  });
  // A mini-program page opened from a card carries `kehu_mt=<token>` in its path; the mini program
  // reports the open here (wx.request, its own visitor id) and then beats like the web reader.
  app.post<{ Params: { token: string } }>('/m/:token/open', async (req, reply) => {
    limiter.hit(req.ip);
    const { v } = parse(Beat.pick({ v: true }), req.body);
    const r = await withShare(database, req.params.token, (tx, s) =>
      s.material.kind === 'miniprogram'
        ? recordOpen(tx, s, v, { ua: req.headers['user-agent'], ip: req.ip })
        : Promise.resolve(null),
    );
    if (!r?.value) throw notFound('material');
    await sendToCdp(database, r.share.tenantId, r.value.cdp);
    return reply.status(201).send({ read: !!r.value.readId });
  });
  app.post<{ Params: { token: string } }>('/m/:token/forward', async (req) => {
    limiter.hit(req.ip);
    const { v } = parse(ReaderLead.pick({ v: true }), req.body);
    const r = await withShare(database, req.params.token, (tx, s) => forwardShare(tx, s, v));
    if (!r) throw notFound('material');
    return { url: readerUrl(r.value) };
  });
  app.post<{ Params: { token: string } }>('/m/:token/lead', async (req, reply) => {
    limiter.hit(req.ip);
    const input = parse(ReaderLead, req.body);
    const r = await withShare(database, req.params.token, (tx, s) => recordLead(tx, s, input));
    if (!r) throw notFound('material');
    await sendToCdp(database, r.share.tenantId, r.value.cdp);
    return reply.status(201).send({ ok: true });
  });
  app.get<{ Params: { token: string } }>('/m/:token/file', async (req, reply) => {
    const r = await withShare(database, req.params.token, (tx, s) =>
      s.material.kind === 'pdf' || s.material.kind === 'poster'
        ? fileBytes(tx, s.tenantId, s.material.id)
        : Promise.resolve(null),
    );
    if (!r?.value) throw notFound('material');
    return reply
      .type(r.share.material.fileMime ?? 'application/octet-stream')
      .header('cache-control', 'private, max-age=300')
      .send(r.value);
  });
  app.get<{ Params: { token: string } }>('/m/:token/poster.png', async (req, reply) => {
    const r = await withShare(database, req.params.token, (tx, s) =>
      s.material.kind === 'poster'
        ? staffPoster(tx, s.tenantId, s.material, s.staffId)
        : Promise.resolve(null),
    );
    if (!r?.value) throw notFound('material');
    return reply.type('image/png').header('cache-control', 'private, max-age=300').send(r.value);
  });
}

async function serve(
  database: Database,
  req: FastifyRequest<{ Params: { token: string } }>,
  reply: FastifyReply,
) {
  reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
  try {
    limiter.hit(req.ip);
  } catch (e) {
    if (e instanceof AppError) return gone(reply, 429);
    throw e;
  }
  const cookie = req.cookies?.[VISITOR_COOKIE];
  const visitor =
    cookie && /^[A-Za-z0-9_-]{22}$/.test(cookie) ? cookie : randomBytes(16).toString('base64url');
  const ua = req.headers['user-agent'];
  const r = await withShare(database, req.params.token, (tx, s) =>
    req.method === 'GET'
      ? recordOpen(tx, s, visitor, { ua, ip: req.ip })
      : Promise.resolve({ readId: null, cdp: [] }),
  );
  if (!r) return gone(reply, 404);
  await sendToCdp(database, r.share.tenantId, r.value.cdp);
  if (cookie !== visitor)
    reply.setCookie(VISITOR_COOKIE, visitor, {
      path: '/m',
      httpOnly: true,
      sameSite: 'lax',
      maxAge: 365 * 86400,
    });
  return reply.type('text/html; charset=utf-8').send(page(r.share, visitor));
}

function content(s: SharedMaterial): string {
  const m = s.material;
  const base = `/m/${esc(s.token)}`;
  switch (m.kind) {
    case 'article':
      return `<article class="body" data-testid="reader-body">${m.bodyHtml ?? ''}</article>`;
    case 'poster':
      return `<img class="poster" src="${base}/poster.png" alt="${esc(m.title)}" data-testid="reader-poster">
<p class="muted center">长按图片保存或识别二维码</p>`;
    case 'pdf':
      return `<a class="btn" href="${base}/file" data-testid="reader-pdf">查看 PDF 资料</a>`;
    case 'video':
    case 'link':
      return `<a class="btn" href="${esc(m.linkUrl)}" rel="noopener nofollow" data-testid="reader-link">${m.kind === 'video' ? '观看视频' : '打开链接'}</a>`;
    default:
      return `<p class="muted center">请在微信中打开小程序「${esc(m.title)}」</p>`;
  }
}

function page(s: SharedMaterial, visitor: string): string {
  const m = s.material;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex">
<title>${esc(m.title)}</title><style>${STYLE}</style></head>
<body data-token="${esc(s.token)}" data-visitor="${esc(visitor)}"><main data-testid="reader">
<h1 data-testid="reader-title">${esc(m.title)}</h1>
<p class="muted">${esc(s.staffName)} 分享</p>
${m.coverUrl && m.kind !== 'poster' ? `<img class="cover" src="${esc(m.coverUrl)}" alt="">` : ''}
${m.summary ? `<p class="summary">${esc(m.summary)}</p>` : ''}
${content(s)}
<section class="card">
<button id="forward" type="button" class="btn ghost" data-testid="reader-forward">转发给朋友</button>
<p id="forward-link" class="muted" hidden data-testid="reader-forward-link"></p>
</section>
<section class="card">
<h2>想了解更多？留下联系方式，${esc(s.staffName)} 会联系您</h2>
<form id="lead" data-testid="reader-lead">
<input name="name" placeholder="您的称呼（选填）" maxlength="40" autocomplete="name">
<input name="phone" placeholder="手机号" inputmode="tel" maxlength="11" required autocomplete="tel">
<label class="muted"><input type="checkbox" name="consent" required> 我同意将以上信息提供给${esc(s.staffName)}用于联系我</label>
<button type="submit" class="btn">提交</button>
</form>
<p id="lead-msg" class="muted" data-ok="已提交，${esc(s.staffName)}会尽快联系您" data-testid="reader-lead-msg"></p>
</section>
</main><script src="/m/reader.js" defer></script></body></html>`;
}

function gone(reply: FastifyReply, status: number) {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .send(`<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>链接无效</title><style>${STYLE}</style></head><body><main data-testid="reader-gone">
<h1>链接无效或内容已下架</h1><p class="muted">请联系分享给您的顾问获取最新内容。</p></main></body></html>`);
}

const STYLE = `*{box-sizing:border-box}body{margin:0;background:#f5f6f8;color:#1f2329;font:16px/1.7 -apple-system,"PingFang SC","Noto Sans SC","Microsoft YaHei",sans-serif}
main{max-width:720px;margin:0 auto;padding:16px;background:#fff;min-height:100vh}
h1{font-size:22px;line-height:1.4;margin:8px 0}h2{font-size:16px;margin:0 0 8px}
.muted{color:#8a919f;font-size:14px}.center{text-align:center}.summary{color:#4e5969;border-left:3px solid #1677ff;padding-left:10px}
.cover,.poster,.body img{max-width:100%;height:auto;border-radius:8px;display:block;margin:8px auto}
.body{word-break:break-word}.card{margin-top:20px;padding:16px;border-radius:12px;background:#f7f8fa}
.btn{display:block;width:100%;padding:12px;border:0;border-radius:8px;background:#1677ff;color:#fff;text-align:center;font-size:16px;text-decoration:none;margin-top:8px}
.btn.ghost{background:#fff;color:#1677ff;border:1px solid #1677ff}
input[name=name],input[name=phone]{display:block;width:100%;padding:10px;margin:6px 0;border:1px solid #d0d3d9;border-radius:8px;font-size:16px}`;

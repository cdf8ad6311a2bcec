import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { RateLimiter } from '../../../core/auth/rate-limit.ts';
import type { Database } from '../../../core/db/database.ts';
import { inTenant } from '../../../core/db/tenant-scope.ts';
import { AppError } from '../../../core/errors.ts';
import { escapeHtml as esc } from '../../../core/http/html.ts';
import { publicArticle, searchArticles } from './kb.service.ts';

/**
 * Public help pages per tenant (no sign-in): `/help/<tenant slug>` lists and searches the
 * published articles marked public, `/help/<slug>/<id>` shows one. Server-rendered; every value
 * is escaped, article bodies were sanitised when saved.
 */
const limiter = new RateLimiter(Number(process.env.HELP_PAGE_RATE_LIMIT ?? 300), 60_000);
const CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  'img-src https: data:',
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');
const STYLE = `body{margin:0;font:16px/1.6 -apple-system,"PingFang SC","Microsoft YaHei",sans-serif;color:#1f1f1f;background:#f5f7fa}
main{max-width:760px;margin:0 auto;padding:16px}h1{font-size:22px;margin:8px 0 16px}
form{display:flex;gap:8px;margin-bottom:16px}input{flex:1;padding:10px 12px;font-size:16px;border:1px solid #d9d9d9;border-radius:8px}
button{padding:10px 16px;font-size:16px;border:0;border-radius:8px;background:#1677ff;color:#fff}
a{color:#1677ff;text-decoration:none}ul.list{list-style:none;padding:0;margin:0}
ul.list li{background:#fff;border-radius:8px;padding:12px 14px;margin-bottom:10px}
.cat{display:inline-block;font-size:12px;color:#666;background:#f0f0f0;border-radius:4px;padding:0 6px;margin-left:6px}
.ex{color:#595959;font-size:14px;margin-top:4px}article{background:#fff;border-radius:8px;padding:16px}
article img{max-width:100%;height:auto}.muted{color:#8c8c8c;font-size:13px}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function allowed(req: FastifyRequest) {
  try {
    limiter.hit(req.ip);
    return true;
  } catch (e) {
    if (e instanceof AppError) return false;
    throw e;
  }
}

async function tenantBySlug(database: Database, slug: string) {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/i.test(slug)) return null;
  const r = await sql<{
    id: string;
    name: string;
  }>`select id, name from tenants where slug = ${slug}`.execute(database.db);
  return r.rows[0] ?? null;
}

function page(reply: FastifyReply, title: string, body: string, status = 200) {
  return reply
    .status(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`);
}

const notFound = (reply: FastifyReply) =>
  page(
    reply,
    '页面不存在',
    '<h1 data-testid="help-missing">页面不存在</h1><p>该帮助中心或文章不存在。</p>',
    404,
  );

export async function registerHelpPages(app: FastifyInstance, database: Database): Promise<void> {
  app.get<{ Params: { slug: string }; Querystring: { q?: string } }>(
    '/help/:slug',
    { config: { contentSecurityPolicy: CSP } },
    async (req, reply) => {
      if (!allowed(req)) return page(reply, '请求过多', '<h1>请求过多，请稍后再试</h1>', 429);
      const t = await tenantBySlug(database, req.params.slug);
      if (!t) return notFound(reply);
      const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 100) : '';
      const { items } = await inTenant(
        database.db,
        t.id,
        (tx) => searchArticles(tx, t.id, { q: q || undefined, publicOnly: true, drafts: false, limit: 50 }),
        { readOnly: true },
      );
      const base = `/help/${encodeURIComponent(req.params.slug)}`;
      const list = items.length
        ? `<ul class="list" data-testid="help-list">${items
            .map(
              (
                a,
              ) => `<li><a href="${base}/${esc(a.id)}">${esc(a.title)}</a>${a.category ? `<span class="cat">${esc(a.category)}</span>` : ''}
<div class="ex">${esc(a.excerpt)}</div></li>`,
            )
            .join('')}</ul>`
        : `<p class="muted" data-testid="help-empty">${q ? '没有找到相关文章，换个关键词试试。' : '暂无公开的帮助文章。'}</p>`;
      return page(
        reply,
        `${t.name} · 帮助中心`,
        `<h1>${esc(t.name)} · 帮助中心</h1>
<form method="get" action="${base}"><input name="q" value="${esc(q)}" placeholder="搜索问题，例如：保养周期" aria-label="搜索"><button type="submit">搜索</button></form>
${list}`,
      );
    },
  );
  app.get<{ Params: { slug: string; id: string } }>(
    '/help/:slug/:id',
    { config: { contentSecurityPolicy: CSP } },
    async (req, reply) => {
      if (!allowed(req)) return page(reply, '请求过多', '<h1>请求过多，请稍后再试</h1>', 429);
      const t = await tenantBySlug(database, req.params.slug);
      if (!t || !UUID.test(req.params.id)) return notFound(reply);
      const a = await inTenant(database.db, t.id, (tx) => publicArticle(tx, t.id, req.params.id));
      if (!a) return notFound(reply);
      const base = `/help/${encodeURIComponent(req.params.slug)}`;
      // body_html was sanitised when saved (kb/sanitize.ts): it is the one unescaped value
      return page(
        reply,
        a.title,
        `<p><a href="${base}">← ${esc(t.name)} · 帮助中心</a></p>
<article data-testid="help-article"><h1>${esc(a.title)}</h1>${a.body_html}
<p class="muted">更新于 ${esc(new Date(a.updated_at).toISOString().slice(0, 10))}</p></article>`,
      );
    },
  );
}

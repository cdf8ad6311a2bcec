import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { RateLimiter } from '../../core/auth/rate-limit.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { AppError } from '../../core/errors.ts';
import { escapeHtml as esc } from '../../core/http/html.ts';
import { fetchQrImage } from './codes.service.ts';
import { sendQrImage } from './qr-image.ts';
import { tenantOfStoreKey } from './store-codes.key.ts';
import { STORE_PAGE_JS } from './store-codes.script.ts';

/**
 * The public landing page of a 门店活码: `/wecom/store/<key>` (no sign-in; the key is the
 * authority). The customer picks a city — or the page's script picks the nearest store from the
 * browser's position, computed in the page — and sees that store's add-me QR. It works without
 * script too (a GET form). It shows store names, addresses and QR images, nothing else: not the
 * code's name, staff, corp or counts. Unknown keys and deleted codes are the same 404.
 */
const limiter = new RateLimiter(Number(process.env.STORE_CODE_PAGE_RATE_LIMIT ?? 120), 60_000);
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export interface LandingStore {
  n: number;
  name: string;
  city: string;
  address: string | null;
  lat: number | null;
  lng: number | null;
}

export async function landingStores(database: Database, key: string) {
  const tenantId = tenantOfStoreKey(key);
  if (!tenantId) return null;
  return inTenant(
    database.db,
    tenantId,
    async (tx) => {
      const code = (
        await sql<{ id: string }>`select id from wecom_store_codes
          where tenant_id = ${tenantId} and public_key = ${key} and deleted_at is null`.execute(tx)
      ).rows[0];
      if (!code) return null;
      const stores = (
        await sql<any>`select k.store_sort as n, u.name, p.city, p.address, p.lat, p.lng, k.qr_code, k.store_unit_id
          from wecom_channel_codes k
          join units u on u.tenant_id = k.tenant_id and u.id = k.store_unit_id
          join wecom_store_places p on p.tenant_id = k.tenant_id and p.unit_id = k.store_unit_id
          where k.tenant_id = ${tenantId} and k.store_code_id = ${code.id} and k.deleted_at is null
          order by p.city, k.store_sort`.execute(tx)
      ).rows;
      return { tenantId, codeId: code.id, stores };
    },
    { readOnly: true },
  );
}

function limited(req: FastifyRequest, reply: FastifyReply): boolean {
  try {
    limiter.hit(req.ip);
    return false;
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    reply
      .status(429)
      .header('retry-after', '60')
      .type('text/html; charset=utf-8')
      .send(goneHtml('请稍后再试'));
    return true;
  }
}

export function registerStoreCodePage(app: FastifyInstance, database: Database) {
  app.get('/wecom/store/page.js', (_req, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(STORE_PAGE_JS),
  );
  app.get<{ Params: { key: string }; Querystring: { city?: string; store?: string } }>(
    '/wecom/store/:key',
    { config: { contentSecurityPolicy: PAGE_CSP } },
    async (req, reply) => {
      reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
      if (limited(req, reply)) return reply;
      const data = await landingStores(database, req.params.key);
      if (!data?.stores.length)
        return reply.status(404).type('text/html; charset=utf-8').send(goneHtml('门店码无效或已停用'));
      return reply
        .type('text/html; charset=utf-8')
        .send(pageHtml(req.params.key, data.stores, req.query.city, Number(req.query.store) || null));
    },
  );
  app.get<{ Params: { key: string; n: string } }>('/wecom/store/:key/qr/:n', async (req, reply) => {
    if (limited(req, reply)) return reply;
    const data = await landingStores(database, req.params.key);
    const store = data?.stores.find((s: any) => String(s.n) === req.params.n);
    if (!data || !store) return reply.status(404).send();
    const img = await fetchQrImage(store.qr_code, `store-${store.n}`, 'zh-CN');
    // A scan, as the landing page counts it: this store's add-me QR was shown to a customer.
    await inTenant(database.db, data.tenantId, (tx) =>
      sql`insert into wecom_store_scans (tenant_id, store_code_id, unit_id, day, scans)
        values (${data.tenantId}, ${data.codeId}, ${store.store_unit_id}, current_date, 1)
        on conflict (tenant_id, store_code_id, unit_id, day) do update set scans = wecom_store_scans.scans + 1`.execute(
        tx,
      ),
    );
    reply.header('x-robots-tag', 'noindex');
    return sendQrImage(reply, img).header('cache-control', 'no-store');
  });
}

function pageHtml(key: string, all: LandingStore[], cityAsked?: string, storeAsked?: number | null) {
  const cities = [...new Set(all.map((s) => s.city))];
  const chosen = storeAsked ? all.find((s) => s.n === storeAsked) : undefined;
  const city = chosen?.city ?? (cityAsked && cities.includes(cityAsked) ? cityAsked : cities[0]!);
  const here = all.filter((s) => s.city === city);
  const pick = chosen ?? (here.length === 1 ? here[0] : undefined);
  const base = `/wecom/store/${esc(key)}`;
  const located = all
    .filter((s) => s.lat != null && s.lng != null)
    .map((s) => ({ n: s.n, lat: s.lat, lng: s.lng }));
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="robots" content="noindex"><title>选择门店，添加专属顾问</title><style>${STYLE}</style></head>
<body data-located="${esc(JSON.stringify(located))}"><main data-testid="store-landing">
<h1>选择门店，添加专属顾问</h1>
<form method="get" action="${base}" class="row" id="city-form">
<label for="city">所在城市</label>
<select id="city" name="city" data-testid="store-city">${cities
    .map((c) => `<option value="${esc(c)}"${c === city ? ' selected' : ''}>${esc(c)}</option>`)
    .join('')}</select>
<button type="submit" class="btn small" id="city-go">查看门店</button>
</form>
${located.length ? `<button type="button" class="btn ghost" id="nearest" hidden data-testid="store-nearest">使用我的位置，找最近的门店</button><p id="geo-msg" class="muted" role="status"></p>` : ''}
<ul class="stores" data-testid="store-list">${here
    .map(
      (
        s,
      ) => `<li${pick?.n === s.n ? ' class="on" aria-current="true"' : ''}><a href="${base}?store=${s.n}" data-testid="store-item">
<strong>${esc(s.name)}</strong>${s.address ? `<span class="muted">${esc(s.address)}</span>` : ''}</a></li>`,
    )
    .join('')}</ul>
${
  pick
    ? `<section class="qr" data-testid="store-qr-box"><h2>${esc(pick.name)}</h2>
<img src="${base}/qr/${pick.n}" alt="${esc(pick.name)} 顾问二维码" width="240" height="240" data-testid="store-qr">
<p class="muted">长按识别二维码，添加门店顾问企业微信</p></section>`
    : `<p class="muted center" data-testid="store-pick-hint">请选择一家门店查看顾问二维码</p>`
}
</main><script src="/wecom/store/page.js" defer></script></body></html>`;
}

function goneHtml(title: string) {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${esc(title)}</title><style>${STYLE}</style></head><body><main data-testid="store-gone">
<h1>${esc(title)}</h1><p class="muted">请联系门店获取最新的二维码。</p></main></body></html>`;
}

const STYLE = `*{box-sizing:border-box}[hidden]{display:none!important}body{margin:0;background:#f5f6f8;color:#1f2329;font:16px/1.6 -apple-system,"PingFang SC","Noto Sans SC","Microsoft YaHei",sans-serif}
main{max-width:560px;margin:0 auto;padding:16px;background:#fff;min-height:100vh}
h1{font-size:20px;margin:8px 0 16px}h2{font-size:17px;margin:0 0 8px}
.row{display:flex;gap:8px;align-items:center;flex-wrap:wrap}.row label{font-weight:600}
select{flex:1;min-width:140px;padding:10px;border:1px solid #d0d3d9;border-radius:8px;font-size:16px;background:#fff}
.btn{display:block;width:100%;padding:12px;border:0;border-radius:8px;background:#1677ff;color:#fff;font-size:16px;margin-top:12px;cursor:pointer}
.btn.small{width:auto;margin:0;padding:10px 14px}.btn.ghost{background:#fff;color:#1677ff;border:1px solid #1677ff}
.btn:focus-visible,a:focus-visible,select:focus-visible{outline:3px solid #91caff;outline-offset:2px}
.muted{color:#6b7280;font-size:14px}.center{text-align:center}
.stores{list-style:none;padding:0;margin:16px 0}.stores li{border:1px solid #e5e6eb;border-radius:10px;margin:8px 0}
.stores li.on{border-color:#1677ff;background:#f0f7ff}
.stores a{display:flex;flex-direction:column;padding:12px;color:inherit;text-decoration:none}
.qr{text-align:center;padding:16px;border-radius:12px;background:#f7f8fa}.qr img{max-width:100%;height:auto;background:#fff}`;

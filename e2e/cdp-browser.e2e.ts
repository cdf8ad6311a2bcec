// The unmodified official browser client (@segment/analytics-next, its npm UMD build) in
// Chromium, loading its settings from Kehu (`cdnURL`) and sending to Kehu (text/plain, CORS,
// short paths /v1/t /v1/i /v1/p), from a page served on another origin.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium } from 'playwright-core';
import { apiLogin, eventually, type KehuServer, ROOT, startServer } from './support.ts';

const UMD = join(ROOT, 'node_modules/@segment/analytics-next/dist/umd');
let kehu: KehuServer;
let site: Server;
let siteUrl = '';
let browser: Browser;

before(async () => {
  kehu = await startServer();
  site = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') {
      res.setHeader('content-type', 'text/html');
      res.end(
        '<!doctype html><html><head><script src="/ajs/index.js"></script></head><body>shop</body></html>',
      );
      return;
    }
    const file = normalize(join(UMD, url.pathname.replace(/^\/ajs\//, '')));
    if (!file.startsWith(UMD)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    try {
      const body = readFileSync(file);
      res.setHeader('content-type', extname(file) === '.js' ? 'text/javascript' : 'application/octet-stream');
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
  siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  site?.close();
  await kehu?.stop();
});

describe('browser client (analytics-next) against Kehu', () => {
  it('loads settings from Kehu and delivers identify, track and page', async () => {
    const admin = await apiLogin(kehu.url, 'admin');
    const source = await admin.post('/cdp/sources', { name: 'Shop web', kind: 'web' });
    const page = await browser.newPage();
    await page.goto(siteUrl);
    await page.evaluate(
      async ({ writeKey, cdnURL }) => {
        const w = window as any;
        const [analytics] = await w.AnalyticsNext.AnalyticsBrowser.load({ writeKey, cdnURL });
        await analytics.identify('web-user-1', { name: '浏览器用户', email: 'Web.User@Example.com' });
        await analytics.track('Product Viewed', { sku: 'P1', price: 99 });
        await analytics.page('Home');
      },
      { writeKey: source.writeKey, cdnURL: kehu.url },
    );
    await eventually(async () => {
      const dbg = await admin.get(`/cdp/sources/${source.id}/debug`);
      assert.deepEqual(dbg.errors, []);
      const types = dbg.events.map((e: any) => e.type).sort();
      assert.deepEqual(types, ['identify', 'page', 'track']);
      const track = dbg.events.find((e: any) => e.type === 'track');
      assert.equal(track.event, 'Product Viewed');
      assert.equal(track.userId, 'web-user-1');
    });
    await eventually(async () => {
      const profiles = await admin.get('/cdp/profiles?q=web-user-1');
      assert.equal(profiles.items.length, 1);
    });
    await page.close();
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { getTestEnv, type TestEnv } from '../../testing/harness.ts';
import { buildServer, DEFAULT_WEB_DIST } from './server.ts';

/**
 * The built web app as a browser gets it: JavaScript brotli- or gzip-compressed from the copies
 * the build wrote (no per-request compression), hashed assets cached for good, the page itself
 * revalidated on every visit. Needs apps/web/dist (CI builds it before the tests; built here if
 * missing, as the browser tests do).
 */

const ROOT = join(DEFAULT_WEB_DIST, '../../..');

function ensureWebBuild(): void {
  if (existsSync(join(DEFAULT_WEB_DIST, 'index.html'))) return;
  const r = spawnSync('npm', ['run', 'build:web'], { cwd: ROOT, stdio: 'inherit' });
  assert.equal(r.status, 0, 'npm run build:web failed');
}

let env: TestEnv;
let app: FastifyInstance;
let base: string;
let entry: string;

before(async () => {
  ensureWebBuild();
  env = await getTestEnv();
  app = await buildServer({
    config: { LOG_LEVEL: 'silent', WEB_DIST: DEFAULT_WEB_DIST, TRUST_PROXY: false, COOKIE_SECURE: false },
    database: env.database,
    routes: [],
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const html = readFileSync(join(DEFAULT_WEB_DIST, 'index.html'), 'utf8');
  const m = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html);
  assert.ok(m, 'index.html names its entry script');
  entry = m[1]!;
});
after(async () => {
  await app?.close();
  await env?.close();
});

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A plain GET through node:http: fetch would decode the body and hide what came over the wire. */
const get = (path: string, acceptEncoding: string) =>
  new Promise<Answer>((resolve, reject) => {
    request(`${base}${path}`, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });

describe('web app assets', () => {
  it('sends a hashed script brotli-compressed to a browser that accepts br, cached for good', async () => {
    const res = await get(entry, 'gzip, deflate, br, zstd');
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'br');
    assert.match(String(res.headers['content-type'] ?? ''), /javascript/);
    assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(res.headers.vary ?? ''), /accept-encoding/i);
    const raw = readFileSync(join(DEFAULT_WEB_DIST, entry));
    const body = res.body;
    assert.ok(body.length < raw.length / 2, `br body ${body.length} B vs raw ${raw.length} B`);
    assert.deepEqual(brotliDecompressSync(body), raw);
  });

  it('sends gzip to a browser without br (Chromium over plain http) and the file as is to one without either', async () => {
    const raw = readFileSync(join(DEFAULT_WEB_DIST, entry));
    const gz = await get(entry, 'gzip, deflate');
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.deepEqual(gunzipSync(gz.body), raw);

    const plain = await get(entry, 'identity');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.deepEqual(plain.body, raw);
  });

  it('has the page revalidated on every visit, at the root and on any app path', async () => {
    for (const path of ['/', '/o/customer', '/login']) {
      const res = await get(path, 'br');
      assert.equal(res.status, 200, path);
      assert.match(String(res.headers['content-type'] ?? ''), /text\/html/, path);
      assert.equal(res.headers['cache-control'], 'no-cache', path);
      const html =
        res.headers['content-encoding'] === 'br'
          ? brotliDecompressSync(res.body).toString()
          : res.body.toString();
      assert.ok(html.includes(entry), `${path} serves the current index.html`);
    }
  });

  it('answers a script that is not in the build with a 404 problem, not the page', async () => {
    const res = await get('/assets/gone-12345678.js', 'br');
    assert.equal(res.status, 404);
    assert.match(String(res.headers['content-type'] ?? ''), /application\/problem\+json/);
    assert.equal(res.headers['cache-control'], undefined);
  });
});

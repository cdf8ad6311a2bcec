import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createApp } from '../../app.ts';
import { testDatabaseUrl, useTestEnv } from '../../testing/harness.ts';
import { loadConfig } from '../config.ts';
import { APP_CSP, registerSecurityHeaders } from './security-headers.ts';

/** The browser-facing headers; e2e/foundation.e2e.ts checks the built app runs under the CSP. */
const env = useTestEnv();
const opened: FastifyInstance[] = [];
after(async () => {
  for (const app of opened) await app.close();
});

describe('security headers', () => {
  it('sends a strict CSP, no framing, nosniff and a referrer policy on API and app responses alike', async () => {
    for (const path of ['/api/v1/auth/me', '/healthz', '/login']) {
      const res = await fetch(`${env.baseUrl}${path}`);
      assert.equal(res.headers.get('content-security-policy'), APP_CSP, path);
      assert.match(APP_CSP, /script-src 'self';/);
      assert.match(APP_CSP, /frame-ancestors 'none'/);
      assert.match(APP_CSP, /object-src 'none'/);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('referrer-policy'), 'same-origin', path);
      assert.equal(res.headers.get('strict-transport-security'), null, 'no HSTS over plain HTTP');
    }
  });

  it('adds HSTS when Kehu is served over HTTPS (COOKIE_SECURE=true)', async () => {
    const config = loadConfig({
      ...process.env,
      LOG_LEVEL: 'silent',
      PORT: '0',
      DATABASE_URL: testDatabaseUrl(),
      COOKIE_SECURE: 'true',
    });
    const app = await createApp(config, env.database);
    opened.push(app);
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
  });

  it('lets a route that serves its own page name its own policy, or none', async () => {
    const app = Fastify();
    opened.push(app);
    registerSecurityHeaders(app, { https: false });
    app.get(
      '/docs',
      { config: { contentSecurityPolicy: "default-src 'self'; script-src 'self' 'unsafe-eval'" } },
      async () => 'ok',
    );
    app.get('/raw', { config: { contentSecurityPolicy: null } }, async () => 'ok');
    app.get('/plain', async () => 'ok');
    assert.equal(
      (await app.inject('/docs')).headers['content-security-policy'],
      "default-src 'self'; script-src 'self' 'unsafe-eval'",
    );
    assert.equal((await app.inject('/raw')).headers['content-security-policy'], undefined);
    assert.equal((await app.inject('/plain')).headers['content-security-policy'], APP_CSP);
    assert.equal((await app.inject('/raw')).headers['x-frame-options'], 'DENY');
  });
});

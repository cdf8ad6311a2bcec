import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { createApp } from '../../app.ts';
import { loadConfig } from '../../core/config.ts';
import { testDatabaseUrl, useTestEnv } from '../../testing/harness.ts';
import { basic, tenantWithSource } from './test-kit.ts';

/**
 * The edges of the ingestion endpoints: who may call them cross-site (anyone, without
 * credentials), which host the browser client is told to send to (forwarded headers only from
 * a configured proxy), and how an oversized batch is refused (Segment's 400 with a reason).
 */
const env = useTestEnv();

let proxied: FastifyInstance | null = null;
after(async () => {
  await proxied?.close();
});

async function proxiedUrl(): Promise<string> {
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    PORT: '0',
    DATABASE_URL: testDatabaseUrl(),
    TRUST_PROXY: '127.0.0.1,::1',
  });
  proxied = await createApp(config, env.database);
  await proxied.listen({ host: '127.0.0.1', port: 0 });
  const addr = proxied.server.address();
  return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
}

describe('ingestion edges', () => {
  it('lets any origin send events without credentials: the write key authenticates, not a cookie', async () => {
    const { source } = await tenantWithSource(env, 0, { name: 'Web', kind: 'web' });
    const origin = 'https://shop.example.com';
    const pre = await fetch(`${env.baseUrl}/v1/t`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST' },
    });
    const sent = await fetch(`${env.baseUrl}/v1/t`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin },
      body: JSON.stringify({ event: 'Clicked', anonymousId: 'a-1', writeKey: source.writeKey }),
    });
    assert.equal(sent.status, 200);
    for (const r of [pre, sent]) {
      assert.equal(r.headers.get('access-control-allow-origin'), '*');
      assert.equal(r.headers.get('access-control-allow-credentials'), null);
    }
  });

  it('tells the browser client its own host, believing X-Forwarded-Host/-Proto only from a configured proxy', async () => {
    const { source } = await tenantWithSource(env, 0, { name: 'Web', kind: 'web' });
    const forged = { 'x-forwarded-host': 'collector.evil.example', 'x-forwarded-proto': 'https' };
    const direct = await fetch(`${env.baseUrl}/v1/projects/${source.writeKey}/settings`, { headers: forged });
    const seg = ((await direct.json()) as any).integrations['Segment.io'];
    assert.equal(seg.apiHost, `${new URL(env.baseUrl).host}/v1`);
    assert.equal(seg.protocol, 'http');
    const viaProxy = await fetch(`${await proxiedUrl()}/v1/projects/${source.writeKey}/settings`, {
      headers: forged,
    });
    const behind = ((await viaProxy.json()) as any).integrations['Segment.io'];
    assert.equal(behind.apiHost, 'collector.evil.example/v1');
    assert.equal(behind.protocol, 'https');
  });

  it('refuses a batch over the transport limit the Segment way: 400 with a reason', async () => {
    const { source } = await tenantWithSource(env, 0, { name: 'Server', kind: 'server' });
    const body = JSON.stringify({
      batch: [{ type: 'track', event: 'x', userId: 'u', properties: { b: 'y'.repeat(1_100_000) } }],
    });
    const r = await fetch(`${env.baseUrl}/v1/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(source.writeKey) },
      body,
    });
    assert.equal(r.status, 400);
    const answer = (await r.json()) as any;
    assert.equal(answer.success, false);
    assert.match(answer.error, /the limit is 512000 for a batch/);
  });

  it('rejects messages PostgreSQL cannot store (NUL, lone surrogates) one by one with a reason, keeping the rest', async () => {
    const { source, tenantId } = await tenantWithSource(env, 0, { name: 'Server', kind: 'server' });
    const post = (path: string, body: string) =>
      fetch(`${env.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic(source.writeKey) },
        body,
      });
    const single = await post('/v1/track', '{"event":"a\\u0000b","userId":"u"}');
    assert.equal(single.status, 400);
    assert.match(((await single.json()) as any).error, /^event: contains a NUL character/);
    const batch = await post(
      '/v1/batch',
      JSON.stringify({
        batch: [
          { type: 'track', event: 'ok', userId: 'u', messageId: 'good-1' },
          {
            type: 'track',
            event: 'x',
            userId: 'u',
            messageId: 'bad-1',
            properties: { note: `a${String.fromCharCode(0xdc00)}` },
          },
          { type: 'track', event: 'x', userId: 'u', messageId: 'bad-2', properties: { 'k\u0000': 1 } },
        ],
      }),
    );
    assert.equal(batch.status, 200);
    const answer = (await batch.json()) as any;
    assert.equal(answer.accepted, 1);
    assert.deepEqual(
      answer.rejected.map((r: any) => [r.index, r.reason]),
      [
        [1, 'properties.note: contains an unpaired UTF-16 surrogate'],
        [2, 'properties.k\\u0000: contains a NUL character (\\u0000)'],
      ],
    );
    const stored = await sql<{
      n: number;
    }>`select count(*)::int n from cdp_events where tenant_id = ${tenantId}`.execute(env.database.db);
    assert.equal(stored.rows[0]!.n, 1);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Analytics } from '@segment/analytics-node';
import { sql } from 'kysely';
import { drainBackground, useTestEnv } from '../../testing/harness.ts';
import { sendWithKey, tenantWithSource } from './test-kit.ts';

const env = useTestEnv();

const setup = () => tenantWithSource(env, 2, { name: 'Web', kind: 'server' });
const send = (path: string, key: string | null, body: unknown, headers: Record<string, string> = {}) =>
  sendWithKey(env, path, key, body, headers);

async function countEvents(tenantId: string) {
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from cdp_events where tenant_id = ${tenantId}`.execute(env.database.db);
  return r.rows[0]!.n;
}

describe('Segment-compatible ingestion', () => {
  it('accepts events from the unmodified @segment/analytics-node client and stores each once', async () => {
    const { source, tenantId } = await setup();
    const analytics = new Analytics({
      writeKey: source.writeKey,
      host: env.baseUrl,
      flushAt: 10,
      maxRetries: 3,
    });
    const errors: unknown[] = [];
    analytics.on('error', (e) => errors.push(e));
    analytics.identify({
      userId: 'u-1',
      anonymousId: 'anon-1',
      traits: { name: '张三', phone: '13912345678', plan: 'gold' },
    });
    for (let i = 0; i < 25; i++)
      analytics.track({
        userId: 'u-1',
        event: 'Product Viewed',
        properties: { sku: `P${i % 3}`, price: 10 },
      });
    analytics.page({ anonymousId: 'anon-1', name: 'Home' });
    await analytics.closeAndFlush({ timeout: 10_000 });
    assert.deepEqual(errors, []);
    assert.equal(await countEvents(tenantId), 27);
    await drainBackground(env, tenantId);
    const profiles = await sql<{
      n: number;
    }>`select count(*)::int as n from cdp_profiles where tenant_id = ${tenantId} and merged_into is null`.execute(
      env.database.db,
    );
    assert.equal(profiles.rows[0]!.n, 1, 'userId, anonymousId and phone resolve to one profile');
  });

  it('stores nothing twice when a batch is replayed (messageId dedupe per source)', async () => {
    const { source, tenantId } = await setup();
    const batch = {
      batch: Array.from({ length: 10 }, (_, i) => ({
        type: 'track',
        event: 'Clicked',
        userId: 'u',
        messageId: `m-${i}`,
      })),
      sentAt: new Date().toISOString(),
    };
    const a = await send('/v1/batch', source.writeKey, batch);
    assert.equal(a.status, 200);
    assert.equal(a.body.accepted, 10);
    const b = await send('/v1/batch', source.writeKey, batch);
    assert.equal(b.status, 200);
    assert.equal(b.body.accepted, 0);
    assert.equal(b.body.duplicates, 10);
    assert.equal(await countEvents(tenantId), 10);
  });

  it('corrects the device clock from sentAt', async () => {
    const { source, tenantId } = await setup();
    // The device clock is one hour fast: the event happened 10 s before it was sent.
    const fast = Date.now() + 3_600_000;
    const r = await send('/v1/track', source.writeKey, {
      event: 'Skewed',
      userId: 'u',
      messageId: 'skew-1',
      timestamp: new Date(fast - 10_000).toISOString(),
      sentAt: new Date(fast).toISOString(),
    });
    assert.equal(r.status, 200);
    const ts = (
      await sql<{ ts: Date }>`select ts from cdp_events where tenant_id = ${tenantId}`.execute(
        env.database.db,
      )
    ).rows[0]!.ts;
    assert.ok(Math.abs(+ts - (Date.now() - 10_000)) < 5_000, `corrected time ${ts.toISOString()}`);
  });

  it('rejects bad messages with a reason and keeps the valid ones of the batch', async () => {
    const { admin, source, tenantId } = await setup();
    const r = await send('/v1/batch', source.writeKey, {
      batch: [
        { type: 'track', event: 'Good', userId: 'u', messageId: 'ok-1' },
        { type: 'track', event: 42, userId: 'u', messageId: 'bad-type' },
        { type: 'track', event: 'NoId', messageId: 'bad-id' },
        { type: 'track', event: 'Time', userId: 'u', timestamp: 'yesterday-ish', messageId: 'bad-ts' },
        {
          type: 'track',
          event: 'Huge',
          userId: 'u',
          properties: { blob: 'x'.repeat(40_000) },
          messageId: 'bad-size',
        },
        { type: 'track', event: 'Props', userId: 'u', properties: 'nope', messageId: 'bad-props' },
        { type: 'track', event: 'Good 2', userId: 'u', messageId: 'ok-2' },
      ],
    });
    assert.equal(r.status, 200);
    assert.equal(r.body.accepted, 2);
    assert.deepEqual(
      r.body.rejected.map((x: any) => x.index),
      [1, 2, 3, 4, 5],
    );
    assert.match(r.body.rejected[3].reason, /32768/);
    assert.equal(await countEvents(tenantId), 2);
    // The debugger shows the rejections.
    const dbg = await admin.get(`/cdp/sources/${source.id}/debug`);
    assert.equal(dbg.status, 200);
    assert.equal(dbg.body.errors.length, 5);
    assert.equal(dbg.body.events.length, 2);
    // All-or-nothing when the client asks for it.
    const all = await send('/v1/batch', source.writeKey, {
      allOrNothing: true,
      batch: [
        { type: 'track', event: 'Good', userId: 'u', messageId: 'aon-1' },
        { type: 'track', userId: 'u' },
      ],
    });
    assert.equal(all.status, 400);
    assert.equal(await countEvents(tenantId), 2);
  });

  it('refuses unknown and disabled write keys, oversized batches and broken JSON', async () => {
    const { admin, source } = await setup();
    assert.equal((await send('/v1/track', 'wk_nope', { event: 'x', userId: 'u' })).status, 401);
    assert.equal((await send('/v1/track', null, { event: 'x', userId: 'u' })).status, 401);
    assert.equal((await send('/v1/track', source.writeKey, '{not json')).status, 400);
    const big = await send('/v1/batch', source.writeKey, {
      batch: Array.from({ length: 30 }, (_, i) => ({
        type: 'track',
        event: 'x',
        userId: 'u',
        properties: { b: 'y'.repeat(20_000) },
        messageId: `${i}`,
      })),
    });
    assert.equal(big.status, 400);
    assert.match(big.body.error, /limit is 512000/);
    await admin.patch(`/cdp/sources/${source.id}`, { enabled: false });
    await new Promise((r) => setTimeout(r, 10));
    const { forgetWriteKeys } = await import('./ingest.ts');
    forgetWriteKeys();
    const off = await send('/v1/track', source.writeKey, { event: 'x', userId: 'u' });
    assert.equal(off.status, 403);
    assert.match(off.body.error, /disabled/);
  });

  it('takes the browser shape: text/plain body, write key in the body, short path, CORS', async () => {
    const { source, tenantId } = await setup();
    const r = await fetch(`${env.baseUrl}/v1/t`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://shop.example.com' },
      body: JSON.stringify({
        event: 'Clicked',
        anonymousId: 'a-1',
        writeKey: source.writeKey,
        messageId: 'b-1',
      }),
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal(await countEvents(tenantId), 1);
    const settings = await fetch(`${env.baseUrl}/v1/projects/${source.writeKey}/settings`);
    assert.equal(settings.status, 200);
    const body = (await settings.json()) as any;
    assert.equal(body.integrations['Segment.io'].apiKey, source.writeKey);
    // The Kehu API itself does not take text/plain nor send CORS headers.
    const api = await fetch(`${env.baseUrl}/api/v1/auth/me`, {
      headers: { origin: 'https://shop.example.com' },
    });
    assert.equal(api.headers.get('access-control-allow-origin'), null);
  });

  it('answers 429 with Retry-After when too many requests are in flight, storing nothing', async () => {
    const { source, tenantId } = await setup();
    const { setIngestLimit } = await import('./ingest.ts');
    setIngestLimit(0);
    try {
      const r = await send('/v1/track', source.writeKey, { event: 'x', userId: 'u', messageId: 'busy-1' });
      assert.equal(r.status, 429);
      assert.equal(r.headers.get('retry-after'), '1');
    } finally {
      setIngestLimit(64);
    }
    assert.equal(await countEvents(tenantId), 0);
    assert.equal(
      (await send('/v1/track', source.writeKey, { event: 'x', userId: 'u', messageId: 'busy-1' })).status,
      200,
    );
  });
});

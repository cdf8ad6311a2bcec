import assert from 'node:assert/strict';
import { type Client, newTenantWithAdmin, type TestEnv } from '../../testing/harness.ts';

/** Small helpers the CDP tests share (test-only). */

/** HTTP Basic with a source's write key as the user name, as Segment clients send it. */
export const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/** POSTs to the ingestion API with a write key (none: no authorization header). */
export const sendWithKey = (
  env: TestEnv,
  path: string,
  key: string | null,
  body: unknown,
  headers: Record<string, string> = {},
) =>
  fetch(`${env.baseUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key ? { authorization: basic(key) } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }).then(async (r) => ({
    status: r.status,
    headers: r.headers,
    body: (await r.json().catch(() => null)) as any,
  }));

/** Sends Segment messages in one /v1/batch, each with a fresh messageId, and expects 200. */
export async function sendBatch(env: TestEnv, key: string, msgs: Record<string, unknown>[]) {
  const r = await sendWithKey(env, '/v1/batch', key, {
    batch: msgs.map((m, i) => ({ messageId: `${Date.now()}-${i}-${Math.random()}`, ...m })),
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

/** A fresh tenant, its administrator and one event source. */
export async function tenantWithSource(
  env: TestEnv,
  customers: number,
  source: { name: string; kind: string } = { name: 'App', kind: 'app' },
) {
  const { seed, admin, tenantId } = await newTenantWithAdmin(env, customers);
  const src = await admin.post('/cdp/sources', source);
  assert.equal(src.status, 201, JSON.stringify(src.body));
  const created = src.body as { id: string; writeKey: string };
  return { seed, admin, tenantId, source: created, key: created.writeKey };
}

/** A segment's member ids, sorted. */
export async function segmentMembers(c: Client, segId: string): Promise<string[]> {
  const r = await c.get(`/cdp/segments/${segId}/members?limit=500`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items.map((m: { id: string }) => m.id).sort();
}

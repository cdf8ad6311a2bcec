import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { marker, uniqueMobile } from '../../testing/fixtures.ts';
import { type Client, drainBackground, newTenantWithAdmin, type TestEnv } from '../../testing/harness.ts';
import { inSide, lowerKey, memo, ok, type ProbeKind, type Side } from '../../testing/probe-kit.ts';

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

/** The event every probe profile sends, with a property named after its marker. */
export const PROBE_EVENT = 'Probe Viewed';

async function writeKey(side: Side): Promise<string> {
  return memo(side, 'writeKey', async () => {
    const s = await ok(side.admin.post('/cdp/sources', { name: marker('SRC'), kind: 'server' }), 'source');
    return s.writeKey as string;
  });
}

async function ingest(side: Side, messages: Record<string, unknown>[]) {
  const key = await writeKey(side);
  const res = await fetch(`${side.env.baseUrl}/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
    },
    body: JSON.stringify({
      batch: messages.map((m) => ({ messageId: marker('msg'), ...m })),
    }),
  });
  if (res.status !== 200) throw new Error(`probe ingest: ${res.status} ${await res.text()}`);
  await drainBackground(side.env, side.dir.tenantId);
}

async function profileOf(side: Side, userId: string): Promise<string> {
  const row = await inSide(side, async (tx) => {
    const r = await sql<{ id: string }>`select p.id from cdp_identities i
      join cdp_profiles p on p.tenant_id = i.tenant_id and p.id = i.profile_id
      where i.tenant_id = ${side.dir.tenantId} and i.kind = 'user_id' and i.value = ${userId}`.execute(tx);
    return r.rows[0];
  });
  if (!row) throw new Error(`probe kind cdp_profile: no profile for ${userId}`);
  return row.id;
}

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  cdp_source: {
    async create(side) {
      const m = marker('SR');
      const s = await ok(side.admin.post('/cdp/sources', { name: m, kind: 'web' }), 'source');
      return { id: s.id, marker: m };
    },
  },
  cdp_profile: {
    async create(side) {
      const m = marker('PF');
      const phone = uniqueMobile();
      await ingest(side, [
        { type: 'identify', userId: m, traits: { name: m, phone } },
        { type: 'track', userId: m, event: PROBE_EVENT, properties: { [m]: m } },
      ]);
      return { id: await profileOf(side, m), marker: m, fields: { phone } };
    },
  },
  /** Two profiles that one identify call joins by a shared phone: the merge record. */
  cdp_merge: {
    async create(side) {
      const m = marker('MG');
      const anon = marker('anon');
      const phone = uniqueMobile();
      await ingest(side, [
        { type: 'identify', userId: m, traits: { name: m } },
        { type: 'identify', anonymousId: anon, traits: { phone } },
      ]);
      await ingest(side, [{ type: 'identify', userId: m, traits: { phone } }]);
      const pid = await profileOf(side, m);
      const row = await inSide(side, async (tx) => {
        const r = await sql<{ id: string }>`select id from cdp_merges
          where tenant_id = ${side.dir.tenantId} and (target_id = ${pid} or source_id = ${pid}) order by at desc limit 1`.execute(
          tx,
        );
        return r.rows[0];
      });
      if (!row) throw new Error('probe kind cdp_merge: the identify call merged nothing');
      return { id: row.id, marker: m };
    },
  },
  cdp_tag_group: {
    async create(side) {
      const m = marker('TGG');
      const g = await ok(side.admin.post('/cdp/tag-groups', { name: m }), 'tag group');
      return { id: g.id, marker: m };
    },
  },
  /** A profile tag; rules name it by `cdp_tag.key`. */
  cdp_tag: {
    async create(side) {
      const m = marker('TG');
      const key = lowerKey('probe_');
      const t = await ok(side.admin.post('/cdp/tags', { key, name: m, kind: 'manual' }), 'tag');
      return { id: t.id, marker: m, fields: { key } };
    },
  },
  cdp_segment: {
    async create(side) {
      const m = marker('SG');
      const s = await ok(
        side.admin.post('/cdp/segments', { name: m, rule: { trait: 'name', op: 'eq', value: m } }),
        'segment',
      );
      return { id: s.id, marker: m };
    },
  },
};

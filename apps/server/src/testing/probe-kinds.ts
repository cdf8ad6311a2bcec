import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { inTenant } from '../core/db/tenant-scope.ts';
import { notify } from '../modules/notifications/notifications.service.ts';
import { marker, type TenantDirectory, uniqueMobile } from './fixtures.ts';
import { type Client, drainBackground, type TestEnv } from './harness.ts';

/**
 * Factories for the tenant-owned things that routes name in their path or query
 * (`probe: { params: { id: 'cdp_segment' } }`). The permission matrix makes one in the other
 * tenant (and, for unit-scoped kinds, in a sibling and a parent unit) and checks the caller
 * gets 404; it makes a fresh one of the caller's own as the control that the route finds it.
 */
export interface Side {
  env: TestEnv;
  dir: TenantDirectory;
  admin: Client;
  /** Per-side memo (write key, product …) so each tenant pays for a setup once. */
  memo: Map<string, unknown>;
}

export interface Placement {
  unitId: string;
  ownerId: string;
}

export interface Thing {
  id: string;
  /** A string that appears in the thing's data: it must never reach another tenant or unit. */
  marker: string;
  /** Other values a probe may refer to as `kind.field`. */
  fields?: Record<string, string>;
}

export interface ProbeKind {
  /** Records of this kind are confined by the caller's data scope (unit tree), not only by tenant. */
  unitScoped?: boolean;
  create(side: Side, at?: Placement): Promise<Thing>;
}

async function ok<T = any>(p: Promise<{ status: number; body: T }>, what: string): Promise<T> {
  const r = await p;
  if (r.status < 200 || r.status >= 300)
    throw new Error(`probe kind ${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

async function memo<T>(side: Side, key: string, make: () => Promise<T>): Promise<T> {
  if (!side.memo.has(key)) side.memo.set(key, await make());
  return side.memo.get(key) as T;
}

const placed = (at?: Placement) => (at ? { ownerId: at.ownerId, unitId: at.unitId } : {});
const label = (m: string) => ({ 'zh-CN': m, 'en-US': m });
const cny = (amount: number) => ({ amount, currency: 'CNY' });
const lowerKey = (prefix: string) => `${prefix}${randomBytes(5).toString('hex')}`;

async function record(side: Side, object: string, body: Record<string, unknown>, at?: Placement) {
  const m = marker(object.slice(0, 2).toUpperCase());
  const r = await ok(side.admin.post(`/records/${object}`, { name: m, ...body, ...placed(at) }), object);
  return { id: r.id as string, marker: m };
}

const customerAt = async (side: Side, at?: Placement) =>
  (await record(side, 'customer', { kind: 'company' }, at)).id;

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

const inSide = <T>(side: Side, fn: Parameters<typeof inTenant<T>>[2]) =>
  inTenant(side.env.database.db, side.dir.tenantId, fn);

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

async function product(side: Side): Promise<string> {
  return memo(side, 'product', async () => {
    const p = await ok(
      side.admin.post('/records/product', {
        name: marker('PR'),
        code: marker('X'),
        listPrice: cny(100_000),
        taxRate: 13,
      }),
      'product',
    );
    return p.id as string;
  });
}

async function quoteAt(side: Side, at?: Placement, discountPercent = 0) {
  const customerId = await customerAt(side, at);
  const q = await record(side, 'quote', { customerId }, at);
  await ok(
    side.admin.request('PUT', `/quotes/${q.id}/lines`, {
      lines: [{ productId: await product(side), quantity: 1, discountPercent }],
    }),
    'quote lines',
  );
  return q;
}

/** The event every probe profile sends, with a property named after its marker. */
export const PROBE_EVENT = 'Probe Viewed';

export const probeKinds: Record<string, ProbeKind> = {
  customer: { unitScoped: true, create: (side, at) => record(side, 'customer', { kind: 'company' }, at) },
  /** A catalogue product (quote and order lines name it in their body). */
  product: {
    create: (side) => record(side, 'product', { code: marker('X'), listPrice: cny(100_000), taxRate: 13 }),
  },
  lead: {
    unitScoped: true,
    async create(side, at) {
      const phone = uniqueMobile();
      const r = await record(side, 'lead', { phone, company: marker('CO') }, at);
      return { ...r, fields: { phone } };
    },
  },
  opportunity: {
    unitScoped: true,
    create: async (side, at) =>
      record(side, 'opportunity', { customerId: await customerAt(side, at), amount: cny(100_000) }, at),
  },
  quote: { unitScoped: true, create: (side, at) => quoteAt(side, at) },
  contract: {
    unitScoped: true,
    create: async (side, at) =>
      record(side, 'contract', { customerId: await customerAt(side, at), amount: cny(100_000) }, at),
  },
  order: {
    unitScoped: true,
    create: async (side, at) =>
      record(side, 'order', { customerId: await customerAt(side, at), amount: cny(100_000) }, at),
  },
  /** A quote whose discount needs approval, submitted: the approval request. */
  approval: {
    unitScoped: true,
    async create(side, at) {
      const q = await quoteAt(side, at, 30);
      const sub = await ok(side.admin.post(`/quotes/${q.id}/submit`), 'quote submit');
      if (!sub.approval) throw new Error('probe kind approval: the quote needed no approval');
      return { id: sub.approval.id as string, marker: q.marker, fields: { quote: q.id } };
    },
  },
  /** A store under the dealer EC-D1. */
  unit: {
    async create(side) {
      const m = marker('UN');
      const u = await ok(
        side.admin.post('/admin/units', { name: m, type: 'store', parentId: side.dir.unit('EC-D1') }),
        'unit',
      );
      return { id: u.id, marker: m };
    },
  },
  view: {
    async create(side) {
      const m = marker('VW');
      const v = await ok(side.admin.post('/views', { object: 'customer', name: m, shared: true }), 'view');
      return { id: v.id, marker: m };
    },
  },
  import: {
    async create(side) {
      const m = marker('IM');
      const r = await ok(
        side.admin.request(
          'POST',
          '/records/customer/imports?filename=p.csv',
          `客户名称,电话\n${m},13800000000\n`,
          {
            'content-type': 'text/csv',
          },
        ),
        'import',
      );
      return { id: r.id, marker: m };
    },
  },
  user: {
    async create(side) {
      const m = lowerKey('probe.');
      const u = await ok(
        side.admin.post('/admin/users', { login: m, name: m, unitId: side.dir.unit('EC-D1') }),
        'user',
      );
      return { id: u.id, marker: m };
    },
  },
  /** A notification for the side's admin (the caller of the matrix's tenant-wide probes). */
  notification: {
    async create(side) {
      const m = marker('NT');
      const [id] = await inSide(side, (tx) =>
        notify(tx, side.dir.tenantId, {
          userIds: [side.dir.user('admin').id],
          kind: 'probe',
          title: label(m),
        }),
      );
      return { id: id!, marker: m };
    },
  },
  notification_webhook: {
    async create(side) {
      const m = marker('WH');
      // A kind nothing emits: the hook is never called during the test.
      const w = await ok(
        side.admin.post('/notification-webhooks', { url: `https://hooks.example.com/${m}`, kinds: [m] }),
        'webhook',
      );
      return { id: w.id, marker: m };
    },
  },
  pipeline: {
    async create(side) {
      const m = marker('PL');
      const stage = (key: string, kind: string, probability: number) => ({
        key,
        label: label(`${m}-${key}`),
        probability,
        kind,
        sop: [],
      });
      const p = await ok(
        side.admin.post('/pipelines', {
          name: label(m),
          stages: [stage('open1', 'open', 10), stage('won', 'won', 100), stage('lost', 'lost', 0)],
        }),
        'pipeline',
      );
      return { id: p.id, marker: m };
    },
  },
  approval_flow: {
    async create(side) {
      const m = marker('AF');
      const f = await ok(
        side.admin.post('/approval-flows', {
          object: 'quote',
          name: label(m),
          condition: { field: 'amount', op: 'gt', value: 1e12 },
          steps: [{ name: label(m), approverType: 'unit_manager' }],
          isActive: false,
        }),
        'approval flow',
      );
      return { id: f.id, marker: m };
    },
  },
  lead_rule: {
    async create(side) {
      const m = marker('LR');
      const r = await ok(
        side.admin.post('/leads/rules', { name: m, enabled: false, strategy: 'round_robin', members: [] }),
        'lead rule',
      );
      return { id: r.id, marker: m };
    },
  },
  lead_form: {
    async create(side) {
      const m = marker('LF');
      const f = await ok(
        side.admin.post('/leads/forms', { name: m, fields: [{ field: 'name', required: true }] }),
        'lead form',
      );
      return { id: f.id, marker: m };
    },
  },
  lead_channel: {
    async create(side) {
      const m = marker('LC');
      const c = await ok(
        side.admin.post('/leads/channels', { code: m, name: m, channel: 'web' }),
        'lead channel',
      );
      return { id: c.id, marker: m };
    },
  },
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

/** Splits a probe value: `=literal`, `kind` or `kind.field`. */
export function parseProbeValue(v: string): { literal: string } | { kind: string; field?: string } {
  if (v.startsWith('=')) return { literal: v.slice(1) };
  const [kind, field] = v.split('.');
  if (!probeKinds[kind!]) throw new Error(`unknown probe kind ${kind}`);
  return { kind: kind!, field };
}

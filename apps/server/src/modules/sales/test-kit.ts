import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { marker } from '../../testing/fixtures.ts';
import type { Client, TestEnv } from '../../testing/harness.ts';
import {
  customerAt,
  label,
  ok as okProbe,
  type Placement,
  type ProbeKind,
  product,
  record,
  type Side,
} from '../../testing/probe-kit.ts';

/** Small helpers the sales tests share (test-only). */
export async function ok<T = any>(
  p: Promise<{ status: number; body: T }>,
  expect: number[] = [200, 201, 204],
): Promise<T> {
  const r = await p;
  if (!expect.includes(r.status)) assert.fail(`unexpected ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export const cny = (amount: number) => ({ amount, currency: 'CNY' });

export async function newCustomer(c: Client, name = marker('客户')): Promise<string> {
  return (await ok(c.post('/records/customer', { name, kind: 'company' }))).id;
}

export async function newOpportunity(
  c: Client,
  customerId: string,
  amount: number,
  extra: Record<string, unknown> = {},
) {
  return ok(
    c.post('/records/opportunity', { name: marker('商机'), customerId, amount: cny(amount), ...extra }),
  );
}

export const REQUIRED_SOP: Record<string, string[]> = {
  discovery: ['confirm_need', 'identify_dm'],
  solution: ['solution_doc', 'demo'],
  trust: ['reference_visit', 'dm_meeting'],
  closing: ['terms_agreed', 'contract_draft'],
};

export async function completeSop(c: Client, oppId: string, stage: string) {
  for (const item of REQUIRED_SOP[stage] ?? [])
    await ok(c.post(`/opportunities/${oppId}/sop`, { stage, item, done: true }));
}

/** Walks an opportunity to `target` doing every SOP item on the way. */
export async function advanceTo(c: Client, oppId: string, target: string, lostReason?: string) {
  const order = ['discovery', 'solution', 'trust', 'closing'];
  let cur = (await ok(c.get(`/records/opportunity/${oppId}`))).stage as string;
  while (cur !== target) {
    const i = order.indexOf(cur);
    if (target === 'lost')
      return ok(
        c.post(`/opportunities/${oppId}/stage`, { stage: 'lost', lostReason: lostReason ?? 'price' }),
      );
    await completeSop(c, oppId, cur);
    const next = i === order.length - 1 ? 'won' : order[i + 1]!;
    await ok(c.post(`/opportunities/${oppId}/stage`, { stage: next }));
    cur = next;
  }
  return ok(c.get(`/records/opportunity/${oppId}`));
}

export async function q<T = any>(
  env: TestEnv,
  tenantId: string,
  query: ReturnType<typeof sql>,
): Promise<T[]> {
  return inTenant(env.database.db, tenantId, async (tx) => (await (query as any).execute(tx)).rows as T[]);
}
export { sql };

/** A quote with one line of the probe product (approval probes submit one with a discount). */
export async function quoteAt(side: Side, at?: Placement, discountPercent = 0) {
  const customerId = await customerAt(side, at);
  const q = await record(side, 'quote', { customerId }, at);
  await okProbe(
    side.admin.request('PUT', `/quotes/${q.id}/lines`, {
      lines: [{ productId: await product(side), quantity: 1, discountPercent }],
    }),
    'quote lines',
  );
  return q;
}

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  /** A catalogue product (quote and order lines name it in their body). */
  product: {
    create: (side) => record(side, 'product', { code: marker('X'), listPrice: cny(100_000), taxRate: 13 }),
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
      const p = await okProbe(
        side.admin.post('/pipelines', {
          name: label(m),
          stages: [stage('open1', 'open', 10), stage('won', 'won', 100), stage('lost', 'lost', 0)],
        }),
        'pipeline',
      );
      return { id: p.id, marker: m };
    },
  },
};

import { randomBytes } from 'node:crypto';
import { inTenant } from '../core/db/tenant-scope.ts';
import { marker, type TenantDirectory } from './fixtures.ts';
import type { Client, TestEnv } from './harness.ts';

/**
 * What module test kits build their permission-matrix probe kinds from (testing/probe-kinds.ts
 * gathers the kinds of every installed module): the two sides of a probe and small helpers.
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

export async function ok<T = any>(p: Promise<{ status: number; body: T }>, what: string): Promise<T> {
  const r = await p;
  if (r.status < 200 || r.status >= 300)
    throw new Error(`probe kind ${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

export async function memo<T>(side: Side, key: string, make: () => Promise<T>): Promise<T> {
  if (!side.memo.has(key)) side.memo.set(key, await make());
  return side.memo.get(key) as T;
}

export const placed = (at?: Placement) => (at ? { ownerId: at.ownerId, unitId: at.unitId } : {});
export const label = (m: string) => ({ 'zh-CN': m, 'en-US': m });
export const cny = (amount: number) => ({ amount, currency: 'CNY' });
export const lowerKey = (prefix: string) => `${prefix}${randomBytes(5).toString('hex')}`;

export async function record(side: Side, object: string, body: Record<string, unknown>, at?: Placement) {
  const m = marker(object.slice(0, 2).toUpperCase());
  const r = await ok(side.admin.post(`/records/${object}`, { name: m, ...body, ...placed(at) }), object);
  return { id: r.id as string, marker: m };
}

export const customerAt = async (side: Side, at?: Placement) =>
  (await record(side, 'customer', { kind: 'company' }, at)).id;

export async function product(side: Side): Promise<string> {
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

export const inSide = <T>(side: Side, fn: Parameters<typeof inTenant<T>>[2]) =>
  inTenant(side.env.database.db, side.dir.tenantId, fn);

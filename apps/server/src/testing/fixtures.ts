import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { inTenant } from '../core/db/tenant-scope.ts';
import type { SeedResult } from '../seed/demo-data.ts';
import { Client, login, type TestEnv } from './harness.ts';

/**
 * Lookups over a seeded tenant for security tests: ids of units (by code), users (by login)
 * and roles (by name), read inside the tenant's own RLS context like the application does.
 */
export interface TenantDirectory {
  seed: SeedResult;
  tenantId: string;
  unit: (code: string) => string;
  user: (login: string) => { id: string; unitId: string };
  role: (name: string) => string;
  /** Ids of `code` and every unit below it. */
  subtree: (code: string) => string[];
}

export async function tenantDirectory(env: TestEnv, seed: SeedResult): Promise<TenantDirectory> {
  return inTenant(env.database.db, seed.tenantId, async (tx) => {
    const units = (
      await sql<{
        id: string;
        code: string;
        path: string;
      }>`select id, code, path from units where tenant_id = ${seed.tenantId}`.execute(tx)
    ).rows;
    const users = (
      await sql<{
        id: string;
        login: string;
        unit_id: string;
      }>`select id, login, unit_id from users where tenant_id = ${seed.tenantId}`.execute(tx)
    ).rows;
    const roles = (
      await sql<{
        id: string;
        name: string;
      }>`select id, name from roles where tenant_id = ${seed.tenantId}`.execute(tx)
    ).rows;
    const need = <T>(v: T | undefined, what: string): T => {
      if (v === undefined) throw new Error(`fixture: no ${what} in tenant ${seed.slug}`);
      return v;
    };
    return {
      seed,
      tenantId: seed.tenantId,
      unit: (code) =>
        need(
          units.find((u) => u.code === code),
          `unit ${code}`,
        ).id,
      user: (loginName) => {
        const u = need(
          users.find((x) => x.login === loginName),
          `user ${loginName}`,
        );
        return { id: u.id, unitId: u.unit_id };
      },
      role: (name) =>
        need(
          roles.find((r) => r.name === name),
          `role ${name}`,
        ).id,
      subtree: (code) => {
        const root = need(
          units.find((u) => u.code === code),
          `unit ${code}`,
        );
        return units.filter((u) => u.path.startsWith(root.path)).map((u) => u.id);
      },
    };
  });
}

/** A short string unlikely to occur anywhere else, to find (or not find) a record in any response. */
export const marker = (prefix = 'M') => `${prefix}${randomBytes(5).toString('hex')}`;

/** A valid, unique mainland mobile number. */
export function uniqueMobile(): string {
  return `139${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0')}`;
}

/** A client with no credentials at all. */
export const anonymous = (env: TestEnv) => new Client(env.baseUrl);

export const loginAs = (env: TestEnv, seed: SeedResult, loginName: string) =>
  login(env, seed.slug, loginName);

/** Creates records through the bulk API (atomic) and returns their ids in input order. */
export async function createMany(
  client: Client,
  object: string,
  records: Record<string, unknown>[],
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < records.length; i += 1000) {
    const res = await client.post(`/records/${object}/bulk`, {
      op: 'create',
      atomic: true,
      records: records.slice(i, i + 1000),
    });
    if (res.status !== 200)
      throw new Error(`bulk create ${object}: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(...res.body.results.map((r: { id: string }) => r.id));
  }
  return ids;
}

/** Rows of a tenant's table matching a predicate, counted as the tenant (RLS on). */
export async function countRows(
  env: TestEnv,
  tenantId: string,
  table: string,
  where: ReturnType<typeof sql> = sql`true`,
): Promise<number> {
  return inTenant(env.database.db, tenantId, async (tx) => {
    const r = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(table)} where tenant_id = ${tenantId} and ${where}`.execute(
      tx,
    );
    return r.rows[0]?.n ?? 0;
  });
}

/** Every page of a list, following `nextCursor`. */
export async function listAll(
  client: Client,
  path: string,
  pageSize = 50,
  maxPages = 200,
): Promise<{ items: any[]; pages: number; total?: number }> {
  const items: any[] = [];
  let cursor: string | null = null;
  let total: number | undefined;
  let pages = 0;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const res: { status: number; body: any } = await client.get(
      `${path}${sep}limit=${pageSize}&count=true${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (res.status !== 200) throw new Error(`list ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    items.push(...res.body.items);
    total ??= res.body.total;
    cursor = res.body.nextCursor;
    if (++pages > maxPages) throw new Error(`list ${path}: more than ${maxPages} pages`);
  } while (cursor);
  return { items, pages, total };
}

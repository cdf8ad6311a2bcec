import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { getTestEnv, login, newTenant, type TestEnv } from '../../testing/harness.ts';
import { APP_ROLE, type Tx } from './tenant-scope.ts';

/**
 * Row-level security is the second line of defence behind the record engine: even a query
 * that forgets its tenant predicate must see nothing of other tenants, and nothing at all
 * when no tenant is set.
 */
let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(() => env.close());

/** Runs `fn` as the application role inside a transaction that is always rolled back. */
async function asAppRole<T>(tenantId: string | null, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return env.database.db.connection().execute(async (conn) => {
    await sql.raw('begin').execute(conn);
    try {
      await sql`select set_config('role', ${APP_ROLE}, true)`.execute(conn);
      if (tenantId) await sql`select set_config('app.tenant_id', ${tenantId}, true)`.execute(conn);
      return await fn(conn as Tx);
    } finally {
      await sql.raw('rollback').execute(conn);
    }
  });
}

/** Tables in the public schema that carry a tenant_id column (partitions are read through their parent). */
async function tenantTables(opts: { partitions?: boolean } = {}): Promise<string[]> {
  return (
    await sql<{ table_name: string }>`select c.table_name from information_schema.columns c
      join pg_class k on k.relname = c.table_name and k.relnamespace = 'public'::regnamespace
      where c.table_schema = 'public' and c.column_name = 'tenant_id' and k.relkind in ('r', 'p')
        and k.relispartition = ${opts.partitions ?? false} order by c.table_name`.execute(env.database.db)
  ).rows.map((r) => r.table_name);
}

/** Rows per table of one tenant, counted as the owner (RLS bypassed only where the owner is a superuser). */
async function ownerCounts(tables: string[], tenantId: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of tables) {
    const n = await asAppRole(
      tenantId,
      async (tx) =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int n from ${sql.table(t)} where tenant_id = ${tenantId}`.execute(tx)
        ).rows[0]!.n,
    );
    out.set(t, n);
  }
  return out;
}

async function populate() {
  const seed = await newTenant(env, 20);
  const admin = await login(env, seed.slug, 'admin');
  // Touch the tables the seed leaves empty: a custom object record, a view, a key, an import.
  await admin.post('/meta/objects', { apiName: 'rls_probe', label: { 'zh-CN': '探针', 'en-US': 'Probe' } });
  await admin.post('/meta/objects/rls_probe/fields', {
    apiName: 'note',
    type: 'text',
    label: { 'zh-CN': '备注', 'en-US': 'Note' },
  });
  await admin.post('/records/rls_probe', { name: 'probe' });
  await admin.post('/views', { object: 'customer', name: 'v', shared: true });
  await admin.post('/admin/api-keys', { name: 'k', scopes: ['customer:read'] });
  await admin.post('/records/customer', { name: 'idem' }, { 'idempotency-key': `rls-${seed.slug}` });
  await admin.request('POST', '/records/customer/imports?filename=a.csv', '客户名称\n测试\n', {
    'content-type': 'text/csv',
  });
  return seed;
}

describe('row-level security', () => {
  it('shows the application role no row of any tenant table when no tenant is set', async () => {
    const seed = await populate();
    const tables = await tenantTables();
    assert.ok(tables.length >= 15, `tenant tables found: ${tables.join(', ')}`);
    const present = await ownerCounts(tables, seed.tenantId);
    for (const core of [
      'units',
      'users',
      'roles',
      'user_roles',
      'sessions',
      'customers',
      'contacts',
      'audit_log',
      'custom_records',
      'api_keys',
      'saved_views',
    ])
      assert.ok((present.get(core) ?? 0) > 0, `${core} has rows of the tenant`);
    const leaks: string[] = [];
    for (const t of tables) {
      const n = await asAppRole(
        null,
        async (tx) =>
          (await sql<{ n: number }>`select count(*)::int n from ${sql.table(t)}`.execute(tx)).rows[0]!.n,
      );
      if (n !== 0) leaks.push(`${t}: ${n}`);
    }
    assert.deepEqual(leaks, []);
    const tenants = await asAppRole(
      null,
      async (tx) => (await sql<{ n: number }>`select count(*)::int n from tenants`.execute(tx)).rows[0]!.n,
    );
    assert.equal(tenants, 0);
  });

  it("hides tenant B's rows from a transaction set to tenant A, and refuses writes into B", async () => {
    const a = await populate();
    const b = await populate();
    const tables = await tenantTables();
    const bRows = await ownerCounts(tables, b.tenantId);
    const leaks: string[] = [];
    for (const t of tables) {
      const [theirs, foreignTenants] = await asAppRole(a.tenantId, async (tx) => [
        (
          await sql<{
            n: number;
          }>`select count(*)::int n from ${sql.table(t)} where tenant_id = ${b.tenantId}`.execute(tx)
        ).rows[0]!.n,
        (
          await sql<{
            n: number;
          }>`select count(*)::int n from ${sql.table(t)} where tenant_id is distinct from ${a.tenantId}`.execute(
            tx,
          )
        ).rows[0]!.n,
      ]);
      if (theirs !== 0 || foreignTenants !== 0)
        leaks.push(`${t}: ${theirs} of B (${bRows.get(t)} exist), ${foreignTenants} not of A`);
    }
    assert.deepEqual(leaks, []);
    assert.equal(
      await asAppRole(
        a.tenantId,
        async (tx) => (await sql<{ n: number }>`select count(*)::int n from tenants`.execute(tx)).rows[0]!.n,
      ),
      1,
    );
    // Writing a row for B while set to A violates the policy's WITH CHECK.
    await assert.rejects(
      asAppRole(a.tenantId, (tx) =>
        sql`insert into saved_views (tenant_id, id, object, name, owner_id) values (${b.tenantId}, gen_random_uuid(), 'customer', 'x', gen_random_uuid())`.execute(
          tx,
        ),
      ),
      /row-level security|policy/i,
    );
    // Updating and deleting B's rows touches nothing.
    const touched = await asAppRole(a.tenantId, async (tx) => {
      const u = await sql`update customers set name = 'pwned' where tenant_id = ${b.tenantId}`.execute(tx);
      const d = await sql`delete from contacts where tenant_id = ${b.tenantId}`.execute(tx);
      return Number(u.numAffectedRows ?? 0) + Number(d.numAffectedRows ?? 0);
    });
    assert.equal(touched, 0);
  });

  it('lets the application role own no table, bypass nothing, and forces RLS on every tenant table', async () => {
    const owned = (
      await sql<{
        tablename: string;
      }>`select tablename from pg_tables where tableowner = ${APP_ROLE}`.execute(env.database.db)
    ).rows;
    assert.deepEqual(owned, []);
    const role = (
      await sql<{
        rolsuper: boolean;
        rolbypassrls: boolean;
      }>`select rolsuper, rolbypassrls from pg_roles where rolname = ${APP_ROLE}`.execute(env.database.db)
    ).rows[0];
    assert.deepEqual(role, { rolsuper: false, rolbypassrls: false });
    const tables = [...(await tenantTables()), 'tenants'];
    const flags = (
      await sql<{
        relname: string;
        relrowsecurity: boolean;
        relforcerowsecurity: boolean;
      }>`select relname, relrowsecurity, relforcerowsecurity from pg_class
        where relnamespace = 'public'::regnamespace and relname = any(${tables})`.execute(env.database.db)
    ).rows;
    assert.equal(flags.length, tables.length);
    assert.deepEqual(
      flags.filter((f) => !f.relrowsecurity || !f.relforcerowsecurity).map((f) => f.relname),
      [],
    );
    // A partition queried directly skips its parent's policies: the app role must not reach one.
    const reachable: string[] = [];
    for (const part of await tenantTables({ partitions: true })) {
      const r = (
        await sql<{
          ok: boolean;
        }>`select has_table_privilege(${APP_ROLE}, ${`public.${part}`}, 'select,insert,update,delete') as ok`.execute(
          env.database.db,
        )
      ).rows[0]!;
      if (r.ok) reachable.push(part);
    }
    assert.deepEqual(reachable, []);
    // The audit log is append-only for the application.
    const seed = await newTenant(env, 0);
    await assert.rejects(
      asAppRole(seed.tenantId, (tx) =>
        sql`delete from audit_log where tenant_id = ${seed.tenantId}`.execute(tx),
      ),
      /permission denied/i,
    );
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { getTestEnv, type TestEnv } from '../../testing/harness.ts';

/**
 * The schema stays ready for Citus (docs/operations.md): every tenant table can be distributed by
 * tenant_id, which Citus allows only when each primary key and unique key contains the distribution
 * column, and keeps joins and foreign keys on one node only when they match on it. A table without
 * tenant_id is a deliberate global (reference) table, listed here.
 */
// login_throttle counts failed sign-ins before any tenant is known (an unknown company code must
// wait like a real one): hashed keys and counters only, dropped a day after the last failure.
const GLOBAL_TABLES = ['login_throttle', 'regions', 'schema_migrations', 'tenants'];

let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(() => env.close());

const rows = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(env.database.db)).rows;

// Partitions carry their parent's keys; the parent (or a plain table) is what gets distributed.
const tables = sql`
  select c.oid, c.relname, a.attnum as tenant_col, a.attnotnull as tenant_not_null
  from pg_class c
  left join pg_attribute a on a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition`;

describe('schema distributable by tenant_id', () => {
  it('has no table without tenant_id except the listed global tables', async () => {
    const globals = await rows<{ relname: string }>(
      sql`select relname from (${tables}) t where tenant_col is null order by relname`,
    );
    assert.deepEqual(
      globals.map((r) => r.relname),
      GLOBAL_TABLES,
    );
  });

  it('requires tenant_id on every row of a tenant table', async () => {
    const nullable = await rows<{ relname: string }>(
      sql`select relname from (${tables}) t where tenant_col is not null and not tenant_not_null order by 1`,
    );
    assert.deepEqual(nullable, []);
  });

  it('puts tenant_id in every primary key, unique constraint and unique index of a tenant table', async () => {
    const missingPk = await rows<{ relname: string }>(sql`
      select t.relname from (${tables}) t
      where t.tenant_col is not null
        and not exists (select 1 from pg_constraint k where k.conrelid = t.oid and k.contype = 'p')
      order by 1`);
    assert.deepEqual(missingPk, [], 'every tenant table has a primary key');

    // Unique constraints are backed by unique indexes, so one look at pg_index covers both.
    const keys = await rows<{ relname: string; key: string }>(sql`
      select t.relname, pg_get_indexdef(i.indexrelid) as key
      from (${tables}) t join pg_index i on i.indrelid = t.oid and i.indisunique
      where t.tenant_col is not null and not (t.tenant_col = any (i.indkey::int2[]))
      order by 1, 2`);
    assert.deepEqual(keys, [], 'unique keys without tenant_id cannot be enforced once distributed');

    const exclusions = await rows<{ relname: string; conname: string }>(sql`
      select t.relname, k.conname from (${tables}) t join pg_constraint k on k.conrelid = t.oid
      where t.tenant_col is not null and k.contype = 'x' and not (t.tenant_col = any (k.conkey))`);
    assert.deepEqual(exclusions, []);
  });

  it('joins tenant tables by foreign keys that match tenant_id with tenant_id', async () => {
    const crossing = await rows<{ relname: string; fk: string }>(sql`
      select t.relname, k.conname || ': ' || pg_get_constraintdef(k.oid) as fk
      from (${tables}) t
      join pg_constraint k on k.conrelid = t.oid and k.contype = 'f'
      join (${tables}) r on r.oid = k.confrelid
      where t.tenant_col is not null and r.tenant_col is not null
        and not exists (
          select 1 from generate_subscripts(k.conkey, 1) s
          where k.conkey[s] = t.tenant_col and k.confkey[s] = r.tenant_col)
      order by 1, 2`);
    assert.deepEqual(crossing, [], 'a foreign key that ignores tenant_id would span nodes');

    // A reference table is copied to every node and cannot point into a distributed one.
    const fromGlobal = await rows<{ relname: string; fk: string }>(sql`
      select t.relname, pg_get_constraintdef(k.oid) as fk
      from (${tables}) t
      join pg_constraint k on k.conrelid = t.oid and k.contype = 'f'
      join (${tables}) r on r.oid = k.confrelid
      where t.tenant_col is null and r.tenant_col is not null`);
    assert.deepEqual(fromGlobal, []);
  });
});

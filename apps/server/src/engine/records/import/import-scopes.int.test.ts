import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../../core/db/tenant-scope.ts';
import { Client, drainBackground, newTenantWithAdmin, useTestEnv } from '../../../testing/harness.ts';
import { importFile, upload } from './test-kit.ts';

const env = useTestEnv();

async function setup() {
  const { seed, admin } = await newTenantWithAdmin(env, 0);
  const keyFor = async (scopes: string[]) => {
    const res = await admin.post('/admin/api-keys', { name: `import ${scopes.join(' ')}`, scopes });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const c = new Client(env.baseUrl);
    c.bearer = res.body.key;
    return { client: c, id: res.body.id as string };
  };
  return { seed, admin, keyFor };
}

const count = (tenantId: string, table: 'customers' | 'contacts', where = sql`true`) =>
  inTenant(env.database.db, tenantId, async (tx) =>
    Number(
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from ${sql.table(table)} where tenant_id = ${tenantId}
          and deleted_at is null and ${where}`.execute(tx)
      ).rows[0]!.n,
    ),
  );

const rowErrors = (tenantId: string, importId: string) =>
  inTenant(env.database.db, tenantId, async (tx) =>
    (
      await sql<{ line: number; message: string }>`select line, message from import_errors
        where tenant_id = ${tenantId} and import_id = ${importId} order by line`.execute(tx)
    ).rows.map((r) => [r.line, r.message]),
  );

describe('imports started with an API key', () => {
  it('cannot create records of an object the key may import but not create', async () => {
    const { seed, keyFor } = await setup();
    // `*:import` lets the key upload and start a contact import; writing contacts is another matter.
    const { client } = await keyFor(['*:import', 'customer:create']);
    const { status } = await importFile(
      env,
      client,
      { name: 'contacts.csv', body: '姓名,手机\n张三,13800001001\n李四,13800001002\n' },
      {},
      'contact',
    );
    assert.equal(status.status, 'failed');
    assert.equal(status.error, 'API 密钥未授权此操作（需要 contact:create）');
    assert.equal(status.created, 0);
    assert.equal(await count(seed.tenantId, 'contacts'), 0);

    // The same key imports customers, and the rows are attributed to the key.
    const ok = await importFile(env, client, { name: 'c.csv', body: '客户名称,电话\n甲公司,13800001003\n' });
    assert.equal(ok.status.status, 'done');
    assert.equal(ok.status.created, 1);
    const kinds = await inTenant(env.database.db, seed.tenantId, async (tx) =>
      (
        await sql<{
          actor_kind: string;
        }>`select distinct actor_kind from audit_log where tenant_id = ${seed.tenantId}
          and object = 'customer' and action = 'create'`.execute(tx)
      ).rows.map((r) => r.actor_kind),
    );
    assert.deepEqual(kinds, ['api_key']);
  });

  it('creates new rows but does not update existing ones in upsert mode without the update scope', async () => {
    const { seed, admin, keyFor } = await setup();
    const existing = await admin.post('/records/customer', {
      name: '老客户',
      phone: '13800002001',
      level: 'C',
    });
    assert.equal(existing.status, 201);
    const csv = '客户名称,电话,客户等级\n老客户,13800002001,A\n新客户,13800002002,B\n';
    const narrow = await keyFor(['customer:import', 'customer:create']);
    const { upload: up, status } = await importFile(
      env,
      narrow.client,
      { name: 'u.csv', body: csv },
      { dedupeKey: 'phone', mode: 'upsert' },
    );
    assert.equal(status.status, 'done');
    assert.deepEqual([status.created, status.updated, status.failed], [1, 0, 1]);
    assert.deepEqual(await rowErrors(seed.tenantId, up.id), [
      [2, 'API 密钥未授权此操作（需要 customer:update）'],
    ]);
    assert.equal(
      (await admin.get(`/records/customer/${existing.body.id}`)).body.level,
      'C',
      'left as it was',
    );

    // With the update scope the same file updates the existing record (the new one now exists too).
    const wide = await keyFor(['customer:import', 'customer:create', 'customer:update']);
    const again = await importFile(
      env,
      wide.client,
      { name: 'u.csv', body: csv },
      { dedupeKey: 'phone', mode: 'upsert' },
    );
    assert.deepEqual([again.status.created, again.status.updated, again.status.failed], [0, 2, 0]);
    assert.equal((await admin.get(`/records/customer/${existing.body.id}`)).body.level, 'A');
  });

  it('fails the whole import when the key may neither create nor update, and when the key is revoked before it runs', async () => {
    const { seed, admin, keyFor } = await setup();
    const onlyImport = await keyFor(['customer:import']);
    const { status } = await importFile(env, onlyImport.client, { name: 'a.csv', body: '客户名称\n甲\n' });
    assert.equal(status.status, 'failed');
    assert.equal(status.error, 'API 密钥未授权此操作（需要 customer:create）');

    const key = await keyFor(['customer:import', 'customer:create']);
    key.client.locale = 'en-US';
    const up = await upload(key.client, 'customer', 'b.csv', '客户名称\n乙\n丙\n');
    assert.equal(up.status, 201);
    const started = await key.client.post(`/records/customer/imports/${up.body.id}/start`, {
      mapping: up.body.suggestedMapping,
      mode: 'create',
      dryRun: false,
    });
    assert.equal(started.status, 202);
    assert.equal((await admin.del(`/admin/api-keys/${key.id}`)).status, 204);
    await drainBackground(env, seed.tenantId, 10_000);
    const after = await admin.get(`/records/customer/imports/${up.body.id}`);
    assert.equal(after.body.status, 'failed');
    assert.equal(after.body.error, 'The API key that started this import has been revoked');
    assert.equal(await count(seed.tenantId, 'customers'), 0);
  });

  it('runs an import started in a browser session with the user’s own rights', async () => {
    const { seed, admin } = await setup();
    const { status } = await importFile(env, admin, { name: 'c.csv', body: '客户名称\n甲\n乙\n' });
    assert.equal(status.status, 'done');
    assert.equal(status.created, 2);
    assert.equal(await count(seed.tenantId, 'customers'), 2);
  });
});

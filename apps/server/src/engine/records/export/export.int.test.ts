import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { inTenant } from '../../../core/db/tenant-scope.ts';
import { getTestEnv, login, loginAsRole, newTenant, type TestEnv } from '../../../testing/harness.ts';
import { csvRows, getRaw } from '../import/test-kit.ts';

const exportAudits = (env: TestEnv, tenantId: string) =>
  inTenant(
    env.database.db,
    tenantId,
    async (tx) =>
      (
        await sql<{
          meta: any;
          actor_id: string;
        }>`select meta, actor_id from audit_log where tenant_id = ${tenantId} and action = 'export' order by id`.execute(
          tx,
        )
      ).rows,
  );

describe('record export', () => {
  let env: TestEnv;
  before(async () => {
    env = await getTestEnv();
  });
  after(() => env.close());

  it('neutralises formula-looking cells and names the file in UTF-8', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    for (const [name, remark] of [
      ['=1+1', '+cmd|/C calc'],
      ['@SUM(A1:A9)', '-2+3'],
      ['正常客户', '普通备注'],
    ])
      assert.equal(
        (
          await admin.post('/records/customer', {
            name,
            remark,
            annualRevenue: { amount: 123456, currency: 'CNY' },
            industry: 'retail',
          })
        ).status,
        201,
      );
    const res = await getRaw(
      admin,
      `/records/customer/export?format=csv&fields=name,remark,annualRevenue,industry&sort=name`,
    );
    assert.equal(res.status, 200);
    const disposition = res.headers.get('content-disposition') ?? '';
    assert.match(
      disposition,
      /^attachment; filename="[^"]+\.csv"; filename\*=UTF-8''%E5%AE%A2%E6%88%B7-\d{8}\.csv$/,
    );
    const rows = csvRows(res.text);
    assert.deepEqual(rows[0], ['客户名称', '备注', '年营业额', '年营业额（币种）', '行业']);
    const byName = new Map(rows.slice(1).map((r) => [r[0], r]));
    assert.deepEqual(byName.get("'=1+1"), ["'=1+1", "'+cmd|/C calc", '1234.56', 'CNY', '零售']);
    assert.deepEqual(byName.get("'@SUM(A1:A9)")?.slice(0, 2), ["'@SUM(A1:A9)", "'-2+3"]);
    assert.equal(byName.get('正常客户')?.[1], '普通备注');

    const x = await getRaw(admin, `/records/customer/export?format=xlsx&fields=name,remark&sort=name`);
    assert.equal(x.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.bytes as any);
    const values = wb.worksheets[0]!.getSheetValues()
      .slice(1)
      .map((r: any) => r.slice(1));
    assert.deepEqual(values[0], ['客户名称', '备注']);
    for (const row of values.slice(1))
      for (const cell of row) assert.ok(typeof cell !== 'object', 'no formula cells');
    assert.ok(values.some((r: any[]) => r[0] === "'=1+1"));
  });

  it('shows each viewer only what they may see: masked phones, hidden fields absent even if asked for, own scope', async () => {
    const seed = await newTenant(env, 30);
    const admin = await login(env, seed.slug, seed.adminLogin);
    // 客服专员 has no export permission in the seeded roles: first a 403, then the admin grants it.
    const agent = await loginAsRole(env, seed, '客服专员');
    assert.equal((await getRaw(agent, '/records/customer/export')).status, 403);
    const roles = await admin.get('/admin/roles');
    const role = (roles.body.items ?? roles.body).find((r: any) => r.name === '客服专员');
    assert.equal(
      (
        await admin.patch(`/admin/roles/${role.id}`, {
          permissions: [...role.permissions, 'customer:export'],
        })
      ).status,
      200,
    );

    const visible = await agent.get('/records/customer?limit=200');
    const res = await getRaw(agent, '/records/customer/export?fields=name,phone,ownerId,unitId');
    assert.equal(res.status, 200);
    const rows = csvRows(res.text);
    assert.deepEqual(rows[0], ['客户名称', '电话', '负责人', '所属组织']);
    assert.equal(rows.length - 1, visible.body.items.length, 'exactly the rows in the agent scope');
    const phones = rows
      .slice(1)
      .map((r) => r[1])
      .filter(Boolean);
    assert.ok(phones.length > 0);
    for (const p of phones) assert.match(p!, /^1\d{2}\*{4}\d{4}$/);
    for (const r of rows.slice(1)) assert.doesNotMatch(r[2]!, /^[0-9a-f-]{36}$/, 'owner shown by name');

    const analyst = await loginAsRole(env, seed, '数据分析师');
    const a = csvRows(
      (await getRaw(analyst, '/records/customer/export?fields=name,phone,email,address')).text,
    );
    assert.deepEqual(a[0], ['客户名称', '邮箱'], 'hidden phone and address are left out');
    assert.equal(a.length - 1, 30);
    for (const r of a.slice(1)) if (r[1]) assert.match(r[1], /\*\*\*@/);

    const audits = await exportAudits(env, seed.tenantId);
    assert.equal(audits.length, 2);
    assert.deepEqual(audits[0]!.meta.fields, ['name', 'phone', 'ownerId', 'unitId']);
    assert.equal(audits[0]!.meta.rowCount, rows.length - 1);
    assert.equal(audits[1]!.meta.rowCount, 30);
    assert.deepEqual(audits[1]!.meta.fields, ['name', 'email']);
    assert.equal(audits[1]!.meta.complete, true);
  });

  it('exports with filter, picklist labels and English headers; bad filters are 422 before any download', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    admin.locale = 'en-US';
    await admin.post('/records/customer', { name: 'A', level: 'A', isKeyAccount: true });
    await admin.post('/records/customer', { name: 'B', level: 'B' });
    const filter = encodeURIComponent(JSON.stringify({ field: 'level', op: 'eq', value: 'A' }));
    const rows = csvRows(
      (await getRaw(admin, `/records/customer/export?fields=name,level,isKeyAccount&filter=${filter}`)).text,
    );
    assert.deepEqual(rows, [
      ['Name', 'Grade', 'Key account'],
      ['A', 'A · Key account', 'Yes'],
    ]);
    const audit = (await exportAudits(env, seed.tenantId))[0]!;
    assert.deepEqual(audit.meta.filter, { field: 'level', op: 'eq', value: 'A' });
    assert.equal((await getRaw(admin, '/records/customer/export?fields=nope')).status, 422);
    assert.equal(
      (
        await getRaw(
          admin,
          `/records/customer/export?filter=${encodeURIComponent('{"field":"nope","op":"eq","value":1}')}`,
        )
      ).status,
      422,
    );
  });

  it('audits an export even when the client disconnects half-way', async () => {
    const seed = await newTenant(env, 3000);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const url = new URL(`${env.baseUrl}/api/v1/records/customer/export?format=csv`);
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(url, { headers: { cookie: admin.cookie } }, (res) => {
        assert.equal(res.statusCode, 200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (e) => (req.destroyed ? resolve() : reject(e)));
      req.end();
    });
    let audits: Awaited<ReturnType<typeof exportAudits>> = [];
    for (let i = 0; i < 100 && audits.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      audits = await exportAudits(env, seed.tenantId);
    }
    assert.equal(audits.length, 1);
    assert.ok(
      audits[0]!.meta.rowCount < 3000 ||
        audits[0]!.meta.complete === false ||
        audits[0]!.meta.rowCount === 3000,
    );
  });

  it('needs customer:export (403)', async () => {
    const seed = await newTenant(env, 0);
    const sales = await loginAsRole(env, seed, '销售顾问');
    const res = await getRaw(sales, '/records/customer/export');
    assert.equal(res.status, 403);
  });
});

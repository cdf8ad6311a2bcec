import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { inTenant } from '../../../core/db/tenant-scope.ts';
import { login, loginAsRole, newTenant, useTestEnv } from '../../../testing/harness.ts';
import { csvRows, getRaw } from '../import/test-kit.ts';
import { formatInZone } from './cells.ts';

const env = useTestEnv();
const q = (filter: unknown) => encodeURIComponent(JSON.stringify(filter));

describe('export columns and times', () => {
  it('adds the fields the filter uses to the visible columns, and writes times in the tenant’s zone', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const made = await admin.post('/records/customer', { name: '星河零售', level: 'A', industry: 'retail' });
    await admin.post('/records/customer', { name: '远山制造', level: 'B', industry: 'manufacturing' });
    const createdAt = (await admin.get(`/records/customer/${made.body.id}`)).body.createdAt as string;
    // The list shows name and createdAt; it is filtered on level and industry, which it does not show.
    const filter = q({
      and: [
        { field: 'level', op: 'eq', value: 'A' },
        { field: 'industry', op: 'eq', value: 'retail' },
      ],
    });
    const rows = csvRows(
      (await getRaw(admin, `/records/customer/export?fields=name,createdAt&filter=${filter}`)).text,
    );
    assert.deepEqual(rows[0], ['客户名称', '创建时间（Asia/Shanghai, UTC+08:00）', '客户等级', '行业']);
    assert.equal(rows.length, 2);
    assert.equal(rows[1]![0], '星河零售');
    assert.equal(rows[1]![1], formatInZone(createdAt, 'Asia/Shanghai'));
    // 8 hours ahead of the UTC instant the API returns.
    const utc = new Date(createdAt);
    const shanghai = new Date(utc.getTime() + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
    assert.equal(rows[1]![1], shanghai);

    // A tenant in another zone reads its own clock, and the header says which.
    await inTenant(env.database.db, seed.tenantId, (tx) =>
      sql`update tenants set time_zone = 'Europe/Berlin' where id = ${seed.tenantId}`.execute(tx),
    );
    admin.locale = 'en-US';
    const berlin = csvRows(
      (await getRaw(admin, `/records/customer/export?fields=name,createdAt&filter=${filter}`)).text,
    );
    assert.match(berlin[0]![1]!, /^Created at \(Europe\/Berlin, UTC\+0[12]:00\)$/);
    assert.equal(berlin[1]![1], formatInZone(createdAt, 'Europe/Berlin'));
    assert.notEqual(berlin[1]![1], rows[1]![1]);

    const xlsx = await getRaw(
      admin,
      `/records/customer/export?format=xlsx&fields=name,createdAt&filter=${filter}`,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(xlsx.bytes) as any);
    const sheet = wb.worksheets[0]!;
    assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1, 5), [
      'Name',
      berlin[0]![1],
      'Grade',
      'Industry',
    ]);
    assert.equal(sheet.getRow(2).getCell(2).value, berlin[1]![1]);
  });

  it('keeps cells formula-safe and a masked filter field masked', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    await admin.post('/records/customer', { name: '=HYPERLINK("x")', level: 'A', remark: '@SUM(1)' });
    const filter = q({ field: 'remark', op: 'contains', value: 'SUM' });
    const rows = csvRows((await getRaw(admin, `/records/customer/export?fields=name&filter=${filter}`)).text);
    assert.deepEqual(rows[1], [`'=HYPERLINK("x")`, `'@SUM(1)`]);
    // A regional manager filtering by phone (masked for them) gets the phone column masked, never the number.
    const manager = await loginAsRole(env, seed, '区域经理');
    assert.equal(
      (await manager.post('/records/customer', { name: '手机号客户', level: 'B', phone: '13812345678' }))
        .status,
      201,
    );
    const phoneFilter = q({ field: 'phone', op: 'eq', value: '13812345678' });
    const res = await getRaw(manager, `/records/customer/export?fields=name&filter=${phoneFilter}`);
    assert.equal(res.status, 200);
    const masked = csvRows(res.text);
    assert.deepEqual(masked[0], ['客户名称', '电话']);
    assert.equal(masked.length, 2);
    assert.ok(!masked[1]![1]!.includes('12345678'), 'the phone stays masked');
  });
});

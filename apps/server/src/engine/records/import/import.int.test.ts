import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { inTenant } from '../../../core/db/tenant-scope.ts';
import {
  drainBackground,
  getTestEnv,
  login,
  loginAsRole,
  newTenant,
  type TestEnv,
  testDatabaseUrl,
} from '../../../testing/harness.ts';
import { runImport } from './import.job.ts';
import { csvRows, getRaw, importFile, upload, XLSX_MIME } from './test-kit.ts';

const countCustomers = (env: TestEnv, tenantId: string, where = sql`true`) =>
  inTenant(env.database.db, tenantId, async (tx) =>
    Number(
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from customers where tenant_id = ${tenantId} and deleted_at is null and ${where}`.execute(
          tx,
        )
      ).rows[0]!.n,
    ),
  );

describe('record import', () => {
  let env: TestEnv;
  before(async () => {
    env = await getTestEnv();
  });
  after(() => env.close());

  it('rejects a CSV with an unterminated quote with 400 naming the line, in the caller language', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const csv =
      '客户名称,电话\n甲公司,13800000001\n乙公司,13800000002\n"丙公司,13800000003\n丁公司,13800000004\n';
    const res = await upload(admin, 'customer', 'bad.csv', csv);
    assert.equal(res.status, 400);
    assert.equal(res.body.code, 'bad_request');
    assert.equal(res.body.line, 4);
    assert.match(res.body.detail, /第 4 行/);
    admin.locale = 'en-US';
    const en = await upload(admin, 'customer', 'bad.csv', 'a,b\n1,"x"y\n');
    assert.equal(en.status, 400);
    assert.equal(en.body.line, 2);
    assert.match(en.body.detail, /line 2/);
  });

  it('imports a GBK-encoded CSV with Chinese headers and maps them by label', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const text =
      '客户名称,电话,行业,客户等级\r\n杭州西湖茶业有限公司,138 0013 8000,零售,A 重点\r\n"上海浦东""精密""机械",+86 139-0000-1111,制造业,B 优质\r\n';
    const bytes = iconv.encode(text, 'gbk');
    const { upload: up, status } = await importFile(env, admin, { name: '客户.csv', body: bytes });
    assert.equal(up.encoding, 'gb18030');
    assert.equal(up.format, 'csv');
    assert.deepEqual(up.headers, ['客户名称', '电话', '行业', '客户等级']);
    assert.deepEqual(up.suggestedMapping, {
      客户名称: 'name',
      电话: 'phone',
      行业: 'industry',
      客户等级: 'level',
    });
    assert.equal(up.sample[0][0], '杭州西湖茶业有限公司');
    assert.equal(status.status, 'done');
    assert.equal(status.created, 2);
    assert.equal(status.failed, 0);
    const list = await admin.get(
      `/records/customer?filter=${encodeURIComponent(JSON.stringify({ field: 'phone', op: 'eq', value: '13900001111' }))}`,
    );
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].name, '上海浦东"精密"机械');
    assert.equal(list.body.items[0].industry, 'manufacturing');
    assert.equal(list.body.items[0].level, 'B');
  });

  it('detects UTF-8 with a BOM and suggests mappings from English labels and api names', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const res = await upload(
      admin,
      'customer',
      'c.csv',
      '\ufeffName,PHONE,annual revenue,Unknown column\nAcme,13800000009,12.5,x\n',
    );
    assert.equal(res.status, 201);
    assert.equal(res.body.encoding, 'utf-8-bom');
    assert.deepEqual(res.body.suggestedMapping, {
      Name: 'name',
      PHONE: 'phone',
      'annual revenue': 'annualRevenue',
      'Unknown column': null,
    });
    assert.equal(res.body.totalRows, 1);
  });

  // 10k rows by default (ten import batches) keeps CI's time; KEHU_IMPORT_ROWS=50000 runs the platform issue's 50k.
  const ROWS = Number(process.env.KEHU_IMPORT_ROWS ?? 10_000);
  it(`stores the good rows of a ${ROWS / 1000}k-row file and reports the 1 % bad rows by line in the errors CSV`, async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const lines = ['客户名称,电话,行业,客户类型'];
    const bad = new Map<number, string>(); // file line → field
    for (let i = 0; i < ROWS; i++) {
      const line = i + 2;
      let name = `客户${i}`;
      let phone = String(13_800_000_000 + i);
      let industry = i % 3 === 0 ? '零售' : 'it';
      if (i % 100 === 7) {
        const kind = ((i / 100) % 3) | 0;
        if (kind === 0) {
          phone = '12345';
          bad.set(line, 'phone');
        } else if (kind === 1) {
          industry = '不存在的行业';
          bad.set(line, 'industry');
        } else {
          name = '';
          bad.set(line, 'name');
        }
      }
      lines.push(`${name},${phone},${industry},企业客户`);
    }
    const { upload: up, status } = await importFile(env, admin, {
      name: 'big.csv',
      body: `${lines.join('\n')}\n`,
    });
    assert.equal(up.totalRows, ROWS);
    assert.equal(status.status, 'done');
    assert.equal(status.totalRows, ROWS);
    assert.equal(status.processedRows, ROWS);
    assert.equal(status.failed, ROWS / 100);
    assert.equal(status.created, ROWS - ROWS / 100);
    assert.equal(await countCustomers(env, seed.tenantId), ROWS - ROWS / 100);

    const errors = await getRaw(admin, `/records/customer/imports/${up.id}/errors`);
    assert.equal(errors.status, 200);
    assert.match(errors.headers.get('content-type') ?? '', /text\/csv/);
    const rows = csvRows(errors.text);
    assert.deepEqual(rows[0], ['行号', '字段', '错误', '客户名称', '电话', '行业', '客户类型']);
    const got = new Map(rows.slice(1).map((r) => [Number(r[0]), r[1]]));
    assert.equal(got.size, ROWS / 100);
    for (const [line, field] of bad) assert.equal(got.get(line), field, `line ${line}`);
    const phoneRow = rows.find((r) => r[1] === 'phone')!;
    assert.equal(phoneRow[2], '请输入有效的中国大陆手机号或座机号');
    assert.equal(phoneRow[4], '12345');
  });

  it('deduplicates on a phone key: upsert updates existing records, create mode reports them, in-file repeats are reported', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const existing = await admin.post('/records/customer', {
      name: '老客户',
      phone: '13811112222',
      level: 'C',
    });
    assert.equal(existing.status, 201);
    const csv = [
      '客户名称,电话,客户等级',
      '老客户新名,+86 138-1111-2222,A 重点',
      '新客户甲,13833334444,B',
      '新客户甲重复,138 3333 4444,C',
      '新客户乙,13855556666,D',
    ].join('\n');

    const created = await importFile(
      env,
      admin,
      { name: 'dup.csv', body: csv },
      { dedupeKey: 'phone', mode: 'create' },
    );
    assert.equal(created.status.created, 2);
    assert.equal(created.status.failed, 2);
    const errs: string[][] = csvRows(
      (await getRaw(admin, `/records/customer/imports/${created.upload.id}/errors`)).text,
    );
    assert.deepEqual(
      errs.slice(1).map((r) => [r[0], r[1], r[2]]),
      [
        ['2', 'phone', '该值已存在'],
        ['4', 'phone', '与文件第 3 行重复'],
      ],
    );

    const upserted = await importFile(
      env,
      admin,
      { name: 'dup.csv', body: csv },
      { dedupeKey: 'phone', mode: 'upsert' },
    );
    assert.equal(upserted.status.updated, 3);
    assert.equal(upserted.status.created, 0);
    assert.equal(upserted.status.failed, 1);
    const after = await admin.get(`/records/customer/${existing.body.id}`);
    assert.equal(after.body.name, '老客户新名');
    assert.equal(after.body.level, 'A');
    assert.equal(await countCustomers(env, seed.tenantId), 3);
    const timeline = await admin.get(`/records/customer/${existing.body.id}/timeline`);
    assert.equal(timeline.body.items[0].action, 'update');
  });

  it('a dry run validates every row and stores nothing but the report; the same upload can then run for real', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const csv = '客户名称,电话\n甲,13800000001\n乙,bad\n丙,13800000003\n';
    const dry = await importFile(env, admin, { name: 'dry.csv', body: csv }, { dryRun: true });
    assert.equal(dry.status.status, 'done');
    assert.equal(dry.status.dryRun, true);
    assert.equal(dry.status.created, 2);
    assert.equal(dry.status.failed, 1);
    assert.equal(await countCustomers(env, seed.tenantId), 0);
    const audit = await inTenant(
      env.database.db,
      seed.tenantId,
      async (tx) =>
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from audit_log where tenant_id = ${seed.tenantId} and action = 'create'`.execute(
            tx,
          )
        ).rows[0]!.n,
    );
    assert.equal(audit, 0);
    const real = await admin.post(`/records/customer/imports/${dry.upload.id}/start`, {
      mapping: dry.upload.suggestedMapping,
      mode: 'create',
      dryRun: false,
    });
    assert.equal(real.status, 202);
    await drainBackground(env, seed.tenantId, 1000);
    const st = await admin.get(`/records/customer/imports/${dry.upload.id}`);
    assert.equal(st.body.created, 2);
    assert.equal(st.body.dryRun, false);
    assert.equal(await countCustomers(env, seed.tenantId), 2);
    const again = await admin.post(`/records/customer/imports/${dry.upload.id}/start`, {
      mapping: dry.upload.suggestedMapping,
      mode: 'create',
      dryRun: false,
    });
    assert.equal(again.status, 400, 'a finished real import cannot run twice');
  });

  it('imports an XLSX file (numbers, dates and rich cells read as text)', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('客户');
    ws.addRow(['客户名称', '电话', '员工人数', '年营业额', '重点客户']);
    ws.addRow(['深圳南山科技', 13_700_001_111, 120, 88_000.5, '是']);
    ws.addRow(['广州天河贸易', '13700002222', 30, 1200, '否']);
    ws.addRow(['坏行', '1', 'abc', 1, '是']);
    const buf = new Uint8Array(await wb.xlsx.writeBuffer());
    const { upload: up, status } = await importFile(env, admin, {
      name: '客户.xlsx',
      body: buf,
      type: XLSX_MIME,
    });
    assert.equal(up.format, 'xlsx');
    assert.deepEqual(up.sample[0], ['深圳南山科技', '13700001111', '120', '88000.5', '是']);
    assert.equal(status.status, 'done');
    assert.equal(status.created, 2);
    assert.equal(status.failed, 1);
    assert.equal(status.totalRows, 3);
    const list = await admin.get(`/records/customer?q=${encodeURIComponent('深圳南山')}`);
    assert.equal(list.body.items[0].employees, 120);
    assert.deepEqual(list.body.items[0].annualRevenue, { amount: 8_800_050, currency: 'CNY' });
    assert.equal(list.body.items[0].isKeyAccount, true);
    const errs: string[][] = csvRows((await getRaw(admin, `/records/customer/imports/${up.id}/errors`)).text);
    assert.deepEqual(
      errs.slice(1).map((r) => [r[0], r[1]]),
      [
        ['4', 'employees'],
        ['4', 'phone'],
      ],
    );
  });

  it('validates the mapping: unknown fields and an unmapped dedupe key are 422 field errors', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const up = await upload(admin, 'customer', 'm.csv', 'a,b\n1,2\n');
    const res = await admin.post(`/records/customer/imports/${up.body.id}/start`, {
      mapping: { a: 'name', b: 'nope' },
      dedupeKey: 'phone',
      mode: 'upsert',
      dryRun: false,
    });
    assert.equal(res.status, 422);
    assert.deepEqual(
      res.body.errors.map((e: any) => [e.field, e.code]),
      [
        ['mapping.b', 'unknown_field'],
        ['dedupeKey', 'unknown_field'],
      ],
    );
    const ro = await admin.post(`/records/customer/imports/${up.body.id}/start`, {
      mapping: { a: 'name', b: 'createdAt' },
      mode: 'create',
      dryRun: false,
    });
    assert.equal(ro.status, 422);
    assert.equal(ro.body.errors[0].code, 'read_only');
  });

  it('applies the importing user scope: a sales consultant imports as owner of the rows', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    // 销售顾问 lacks customer:import; the administrator grants it for this test.
    const roles = await admin.get('/admin/roles');
    const role =
      roles.body.items?.find?.((r: any) => r.name === '销售顾问') ??
      roles.body.find((r: any) => r.name === '销售顾问');
    const patched = await admin.patch(`/admin/roles/${role.id}`, {
      permissions: [...role.permissions, 'customer:import'],
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const sales = await loginAsRole(env, seed, '销售顾问');
    const me = await sales.get('/auth/me');
    const { status } = await importFile(
      env,
      sales,
      { name: 's.csv', body: '客户名称,负责人\n我的客户,\n' },
      { mapping: { 客户名称: 'name' } },
    );
    assert.equal(status.created, 1);
    const mine = await sales.get('/records/customer');
    assert.equal(mine.body.items.length, 1);
    assert.equal(mine.body.items[0].ownerId, me.body.user.id);
  });

  it('needs customer:import (403) and hides other users and tenants imports (404)', async () => {
    const seed = await newTenant(env, 0);
    const other = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const otherAdmin = await login(env, other.slug, other.adminLogin);
    const analyst = await loginAsRole(env, seed, '数据分析师');
    assert.equal((await upload(analyst, 'customer', 'x.csv', 'a\n1\n')).status, 403);
    assert.equal((await analyst.get('/records/customer/imports')).status, 403);
    const up = await upload(admin, 'customer', 'x.csv', '客户名称\n甲\n');
    assert.equal(up.status, 201);
    assert.equal((await otherAdmin.get(`/records/customer/imports/${up.body.id}`)).status, 404);
    assert.equal((await otherAdmin.get(`/records/customer/imports/${up.body.id}/errors`)).status, 404);
    assert.equal(
      (
        await otherAdmin.post(`/records/customer/imports/${up.body.id}/start`, {
          mapping: { 客户名称: 'name' },
          mode: 'create',
          dryRun: false,
        })
      ).status,
      404,
    );
    const mine = await admin.get('/records/customer/imports');
    assert.equal(mine.body.items[0].id, up.body.id);
    assert.equal((await otherAdmin.get('/records/customer/imports')).body.items.length, 0);
  });

  it('writes one import audit row when it starts and one with the counts when it finishes', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const { upload: up } = await importFile(env, admin, {
      name: 'a.csv',
      body: '客户名称,电话\n甲,13800000001\n乙,x\n',
    });
    const rows = await inTenant(
      env.database.db,
      seed.tenantId,
      async (tx) =>
        (
          await sql<{
            meta: any;
          }>`select meta from audit_log where tenant_id = ${seed.tenantId} and action = 'import' order by id`.execute(
            tx,
          )
        ).rows,
    );
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!.meta.phase, 'start');
    assert.equal(rows[1]!.meta.phase, 'finish');
    assert.equal(rows[1]!.meta.importId, up.id);
    assert.equal(rows[1]!.meta.created, 1);
    assert.equal(rows[1]!.meta.failed, 1);
  });

  it('resumes after an interruption between batches with exact counts and no duplicates', async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const lines = ['客户名称,电话'];
    for (let i = 0; i < 3500; i++)
      lines.push(`客户${i},${i % 500 === 3 ? 'bad' : String(13_900_000_000 + i)}`);
    lines.push('重复,13900000010');
    const up = await upload(admin, 'customer', 'r.csv', lines.join('\n'));
    const start = await admin.post(`/records/customer/imports/${up.body.id}/start`, {
      mapping: up.body.suggestedMapping,
      dedupeKey: 'phone',
      mode: 'create',
      dryRun: false,
    });
    assert.equal(start.status, 202);
    const crash = new Error('simulated crash');
    await assert.rejects(
      runImport(env.database.db, seed.tenantId, up.body.id, {
        attempt: 1,
        concurrency: 1,
        heartbeat: async () => {},
        afterBatch: (n) => {
          if (n >= 2000) throw crash;
        },
      }),
      crash,
    );
    assert.equal((await admin.get(`/records/customer/imports/${up.body.id}`)).body.processedRows, 2000);
    await drainBackground(env, seed.tenantId, 1000); // the queued job resumes after the checkpoint
    const st = (await admin.get(`/records/customer/imports/${up.body.id}`)).body;
    assert.equal(st.status, 'done');
    assert.equal(st.processedRows, 3501);
    assert.equal(st.failed, 8);
    assert.equal(st.created, 3493);
    assert.equal(await countCustomers(env, seed.tenantId), 3493);
    const errs: string[][] = csvRows(
      (await getRaw(admin, `/records/customer/imports/${up.body.id}/errors`)).text,
    );
    assert.deepEqual(errs.at(-1)!.slice(0, 3), ['3502', 'phone', '与文件第 12 行重复']);
  });

  it('survives kill -9 of the process running the job mid-import: the re-run ends with exact counts and no duplicates', {
    skip: !testDatabaseUrl() && 'needs PostgreSQL (DATABASE_URL): PGlite lives in one process',
  }, async () => {
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, seed.adminLogin);
    const lines = ['客户名称,电话'];
    for (let i = 0; i < 20_000; i++)
      lines.push(`客户${i},${i % 250 === 5 ? 'bad' : String(13_600_000_000 + i)}`);
    for (let i = 0; i < 20; i++) lines.push(`重复${i},${13_600_000_000 + i}`);
    const up = await upload(admin, 'customer', 'crash.csv', lines.join('\n'));
    const start = await admin.post(`/records/customer/imports/${up.body.id}/start`, {
      mapping: up.body.suggestedMapping,
      dedupeKey: 'phone',
      mode: 'create',
      dryRun: false,
    });
    assert.equal(start.status, 202);
    const processed = async () =>
      inTenant(env.database.db, seed.tenantId, async (tx) =>
        Number(
          (
            await sql<{
              n: number;
            }>`select processed_rows as n from imports where tenant_id = ${seed.tenantId} and id = ${up.body.id}`.execute(
              tx,
            )
          ).rows[0]!.n,
        ),
      );
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('./import-crash.fixture.ts', import.meta.url)), seed.tenantId, up.body.id],
      {
        env: { ...process.env, DATABASE_URL: testDatabaseUrl() },
        stdio: 'inherit',
      },
    );
    const exited = new Promise((r) => child.once('exit', r));
    let seenRows = 0;
    for (let i = 0; i < 1000 && seenRows < 3000; i++) {
      await new Promise((r) => setTimeout(r, 20));
      seenRows = await processed();
    }
    child.kill('SIGKILL');
    await exited;
    const atKill = await processed();
    assert.ok(atKill >= 3000 && atKill < 20_020, `killed mid-import (processed ${atKill})`);
    assert.equal(
      await countCustomers(env, seed.tenantId),
      (await admin.get(`/records/customer/imports/${up.body.id}`)).body.created,
    );

    await drainBackground(env, seed.tenantId, 1000); // the queued job runs the import again from its checkpoint
    const st = (await admin.get(`/records/customer/imports/${up.body.id}`)).body;
    assert.equal(st.status, 'done');
    assert.equal(st.processedRows, 20_020);
    // 80 bad phones; 19 of the 20 repeats (the 6th repeats a row whose phone was invalid).
    assert.equal(st.failed, 99);
    assert.equal(st.created, 19_921);
    assert.equal(await countCustomers(env, seed.tenantId), 19_921);
    const distinct = await inTenant(env.database.db, seed.tenantId, async (tx) =>
      Number(
        (
          await sql<{
            n: number;
          }>`select count(distinct phone)::int as n from customers where tenant_id = ${seed.tenantId}`.execute(
            tx,
          )
        ).rows[0]!.n,
      ),
    );
    assert.equal(distinct, 19_921, 'no record stored twice');
    const errs = csvRows((await getRaw(admin, `/records/customer/imports/${up.body.id}/errors`)).text);
    assert.equal(errs.length - 1, 99);
    assert.deepEqual(errs.at(-1)!.slice(0, 3), ['20021', 'phone', '与文件第 21 行重复']);
  });
});

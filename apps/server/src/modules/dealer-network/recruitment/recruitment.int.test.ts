import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  anonymous,
  countRows,
  marker,
  type TenantDirectory,
  tenantDirectory,
  uniqueMobile,
} from '../../../testing/fixtures.ts';
import { type Client, login, newTenantWithAdmin, useTestEnv } from '../../../testing/harness.ts';
import { addressKey } from '../dealer-network.routes.ts';
import { PNG_BASE64 } from '../test-kit.ts';

const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body).slice(0, 500));
  return r.body;
};
const fields = (body: any) => Object.fromEntries(((body.errors ?? []) as any[]).map((e) => [e.field, e]));
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n').toString('base64');

let dir: TenantDirectory;
let admin: Client;
let slug: string;
let as: (who: string) => Promise<Client>;
let ready: Promise<void> | null = null;
const setup = () =>
  (ready ??= (async () => {
    const t = await newTenantWithAdmin(env, 0);
    admin = t.admin;
    slug = t.seed.slug;
    dir = await tenantDirectory(env, t.seed);
    const sessions = new Map<string, Promise<Client>>();
    as = (who) => {
      if (!sessions.has(who)) sessions.set(who, login(env, slug, who));
      return sessions.get(who)!;
    };
  })());

/** A fresh form link (each has its own per-address budget). */
const newForm = async () =>
  (await ok((await as('wang.jianguo')).post('/recruitment/form'))).formKey as string;

const application = (over: Record<string, unknown> = {}) => ({
  company: `测试汽车贸易有限公司${marker()}`,
  contactName: '钱立新',
  phone: uniqueMobile(),
  region: '苏州',
  category: '整车',
  documents: [
    { name: '营业执照.pdf', kind: 'license', content: PDF },
    { name: '门店.png', kind: 'qualification', content: PNG_BASE64 },
  ],
  ...over,
});

async function appId(company: string) {
  const hq = await as('wang.jianguo');
  const list = await ok(hq.get('/recruitment/applications'));
  return list.items.find((a: any) => a.company === company);
}

describe('dealer recruitment: the public form', () => {
  it('takes an application with documents checked by content; a duplicate by phone or company looks accepted and stores nothing', async () => {
    await setup();
    const key = await newForm();
    const anon = anonymous(env);
    const spec = await ok(anon.get(`/public/dealer-applications/${key}`));
    assert.equal(spec.honeypot, 'website');
    // The phone page behind the link: zh-CN by default, the form key only ever as text.
    const html = await fetch(`${env.baseUrl}/join/${key}`);
    assert.equal(html.status, 200);
    const text = await html.text();
    assert.match(text, /经销商招商申请/);
    assert.match(html.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.equal((await fetch(`${env.baseUrl}/join/dr_nope?lang=en-US`)).status, 404);
    const a = application();
    const r = await ok(anon.post(`/public/dealer-applications/${key}`, a), 201);
    assert.match(r.reference, /^ZS/);
    const before = await countRows(env, dir.tenantId, 'dnw_applications');
    // A duplicate gets the same 201 shape as a new one: no existing reference, no field named.
    const again = await ok(
      anon.post(`/public/dealer-applications/${key}`, application({ phone: a.phone })),
      201,
    );
    assert.deepEqual(Object.keys(again).sort(), Object.keys(r).sort());
    assert.match(again.reference, /^ZS/);
    assert.notEqual(again.reference, r.reference);
    // The same company written differently is the same company.
    const sameCompany = await ok(
      anon.post(
        `/public/dealer-applications/${key}`,
        application({ company: ` ${a.company.replace('有限公司', '（有限公司）')}` }),
      ),
      201,
    );
    assert.notEqual(sameCompany.reference, r.reference);
    assert.equal(await countRows(env, dir.tenantId, 'dnw_applications'), before);
    const stored = await appId(a.company);
    assert.equal(stored.stage, 'new');
    assert.equal(stored.unitId, dir.unit('HQ'));
  });

  it('counts an IPv6 /64 as one address, and caps a form per day whoever sends', async () => {
    assert.equal(addressKey('203.0.113.9'), '203.0.113.9');
    assert.equal(addressKey('::ffff:203.0.113.9'), '203.0.113.9');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:0db8:0001:0002:ffff:1:2:3'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::5'), '2001:db8:0:0::/64');
    await setup();
    const key = await newForm();
    const anon = anonymous(env);
    const prior = process.env.DEALER_APPLY_FORM_DAILY_CAP;
    process.env.DEALER_APPLY_FORM_DAILY_CAP = '2';
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push(
          (await anon.post(`/public/dealer-applications/${key}`, application({ documents: [] }))).status,
        );
      assert.deepEqual(statuses, [201, 201, 429]);
      const over = await anon.post(`/public/dealer-applications/${key}`, application({ documents: [] }));
      assert.equal(over.status, 429);
      assert.match(over.headers.get('content-type') ?? '', /problem\+json/);
      assert.ok(Number(over.headers.get('retry-after')) > 0);
    } finally {
      if (prior === undefined) delete process.env.DEALER_APPLY_FORM_DAILY_CAP;
      else process.env.DEALER_APPLY_FORM_DAILY_CAP = prior;
    }
  });

  it('refuses an oversize document, a file that is not what it claims, and bad fields, in the caller’s language', async () => {
    await setup();
    const key = await newForm();
    const anon = anonymous(env);
    const before = await countRows(env, dir.tenantId, 'dnw_applications');
    const big = Buffer.alloc(2 * 1024 * 1024 + 1, 1);
    big.write('%PDF-', 0, 'latin1');
    const over = await anon.post(
      `/public/dealer-applications/${key}`,
      application({ documents: [{ name: 'big.pdf', content: big.toString('base64') }] }),
    );
    assert.equal(over.status, 422);
    assert.match(over.headers.get('content-type') ?? '', /problem\+json/);
    assert.equal(fields(over.body)['documents.0.content'].code, 'file_too_large');
    assert.match(fields(over.body)['documents.0.content'].message, /2 MB/);
    anon.locale = 'en-US';
    const fake = await anon.post(
      `/public/dealer-applications/${key}`,
      application({
        documents: [{ name: 'x.pdf', content: Buffer.from('MZ not a pdf').toString('base64') }],
      }),
    );
    assert.equal(fake.status, 422);
    assert.match(fields(fake.body)['documents.0.content'].message, /PDF, PNG or JPEG/);
    const bad = await anon.post(`/public/dealer-applications/${key}`, application({ phone: '12345' }));
    assert.equal(bad.status, 422);
    assert.ok(fields(bad.body).phone);
    assert.equal(await countRows(env, dir.tenantId, 'dnw_applications'), before);
  });

  it('answers a bot (honeypot) as if accepted, storing nothing; limits one address; closes a rotated link', async () => {
    await setup();
    const key = await newForm();
    const anon = anonymous(env);
    const before = await countRows(env, dir.tenantId, 'dnw_applications');
    const bot = await anon.post(
      `/public/dealer-applications/${key}`,
      application({ website: 'http://spam' }),
    );
    assert.equal(bot.status, 202);
    assert.equal(await countRows(env, dir.tenantId, 'dnw_applications'), before);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (await anon.post(`/public/dealer-applications/${key}`, application({ documents: [] }))).status,
      );
    assert.deepEqual(statuses.slice(0, 4), [201, 201, 201, 201]);
    assert.equal(statuses[5], 429);
    const oldKey = await newForm();
    await newForm();
    const closed = await anon.post(`/public/dealer-applications/${oldKey}`, application());
    assert.equal(closed.status, 404);
    assert.equal((await anon.get('/public/dealer-applications/dr_nope')).status, 404);
  });
});

describe('dealer recruitment: the pipeline', () => {
  it('hands an application to a branch, which sees it while another branch gets 404; notes, preview, stale version', async () => {
    await setup();
    const key = await newForm();
    const a = application();
    await ok(anonymous(env).post(`/public/dealer-applications/${key}`, a), 201);
    const hq = await as('wang.jianguo');
    const cur = await appId(a.company);
    const moved = await ok(
      hq.post(`/recruitment/applications/${cur.id}/stage`, {
        version: cur.version,
        to: 'reviewing',
        unitId: dir.unit('EC'),
      }),
    );
    assert.equal(moved.stage, 'reviewing');
    const chen = await as('chen.zhiqiang');
    const seen = await ok(chen.get(`/recruitment/applications/${cur.id}`));
    assert.equal(seen.documents.length, 2);
    assert.equal((await (await as('huang.weiming')).get(`/recruitment/applications/${cur.id}`)).status, 404);
    assert.equal(
      (await (await as('huang.weiming')).get(`/recruitment/documents/${seen.documents[0].id}`)).status,
      404,
    );
    assert.equal(seen.phone, a.phone);
    // A read-only viewer (数据分析师) sees the applicant's phone masked.
    const analyst = await ok((await as('li.siyuan')).get(`/recruitment/applications/${cur.id}`));
    assert.equal(analyst.phone, `${a.phone.slice(0, 3)}****${a.phone.slice(-4)}`);
    const noted = await ok(
      chen.post(`/recruitment/applications/${cur.id}/notes`, { text: '已实地考察' }),
      201,
    );
    assert.equal(noted.notes[0].text, '已实地考察');
    const pdf = seen.documents.find((d: any) => d.mime === 'application/pdf');
    const file = await chen.get(`/recruitment/documents/${pdf.id}`);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('content-type'), 'application/pdf');
    assert.match(file.headers.get('content-disposition') ?? '', /^inline/);
    const stale = await chen.post(`/recruitment/applications/${cur.id}/stage`, {
      version: cur.version,
      to: 'rejected',
    });
    assert.equal(stale.status, 409);
    // The HQ sales manager approves the qualification through the approvals engine.
    const pending = await ok(
      chen.post(`/recruitment/applications/${cur.id}/approval`, { version: moved.version }),
    );
    assert.equal(pending.stage, 'pending_approval');
    const inbox = await ok(hq.get('/approvals'));
    const req = (inbox.items as any[]).find((x) => x.recordId === cur.id);
    assert.ok(req, 'the approval request reaches the HQ sales manager');
    await ok(hq.post(`/approvals/${req.id}/approve`, { comment: '同意' }));
    const qualified = await ok(chen.get(`/recruitment/applications/${cur.id}`));
    assert.equal(qualified.stage, 'qualified');
    const contract = await ok(
      chen.post(`/recruitment/applications/${cur.id}/stage`, {
        version: qualified.version,
        to: 'contract',
        contractNo: 'HT-001',
      }),
    );
    assert.equal(contract.contractNo, 'HT-001');
  });
});

describe('dealer recruitment: onboarding', () => {
  it('creates the dealer unit and admin user once, only for someone who may create both and grant the role', async () => {
    await setup();
    const key = await newForm();
    const a = application();
    await ok(anonymous(env).post(`/public/dealer-applications/${key}`, a), 201);
    const hq = await as('wang.jianguo');
    let cur = await appId(a.company);
    cur = await ok(
      hq.post(`/recruitment/applications/${cur.id}/stage`, {
        version: cur.version,
        to: 'reviewing',
        unitId: dir.unit('EC'),
      }),
    );
    cur = await ok(hq.post(`/recruitment/applications/${cur.id}/approval`, { version: cur.version }));
    const req = ((await ok(hq.get('/approvals'))).items as any[]).find((x) => x.recordId === cur.id);
    await ok(hq.post(`/approvals/${req.id}/approve`, {}));
    cur = await ok(hq.get(`/recruitment/applications/${cur.id}`));
    // A branch administrator: units and users of 华东大区, and a small dealer-admin role to give.
    const branchRole = await ok(
      admin.post('/admin/roles', {
        name: `分公司管理员${marker()}`,
        permissions: [
          'admin:units',
          'admin:users',
          'dealer_network:recruit',
          'dealer_network:recruit_read',
          'dealer_network:tasks_work',
        ],
        dataScopes: { '*': 'unit_tree' },
      }),
      201,
    );
    const dealerRole = await ok(
      admin.post('/admin/roles', {
        name: `经销商管理员${marker()}`,
        permissions: ['dealer_network:tasks_work'],
        dataScopes: { '*': 'unit_tree' },
      }),
      201,
    );
    const login1 = `branch.${marker().toLowerCase()}`;
    await ok(
      admin.post('/admin/users', {
        login: login1,
        name: '分公司管理员',
        unitId: dir.unit('EC'),
        roleIds: [branchRole.id],
        password: 'Branch-admin-2026',
      }),
      201,
    );
    const branchAdmin = await login(env, slug, login1, 'Branch-admin-2026');
    const body = (over: Record<string, unknown> = {}) => ({
      version: cur.version,
      branchUnitId: dir.unit('EC'),
      adminLogin: `dealer.${marker().toLowerCase()}`,
      roleId: dealerRole.id,
      ...over,
    });
    const units = () => countRows(env, dir.tenantId, 'units');
    const unitsBefore = await units();
    // Holding the recruitment right is not enough: onboarding creates a unit and a user.
    const noRights = await hq.post(`/recruitment/applications/${cur.id}/onboard`, body());
    assert.equal(noRights.status, 403);
    // Nobody grants what they do not hold: the system administrator's role is beyond the branch admin.
    const tooMuch = await branchAdmin.post(
      `/recruitment/applications/${cur.id}/onboard`,
      body({ roleId: dir.role('系统管理员') }),
    );
    assert.equal(tooMuch.status, 403, JSON.stringify(tooMuch.body));
    // Another branch is not theirs to build under.
    const elsewhere = await branchAdmin.post(
      `/recruitment/applications/${cur.id}/onboard`,
      body({ branchUnitId: dir.unit('SC') }),
    );
    assert.equal(elsewhere.status, 422);
    assert.equal(fields(elsewhere.body).branchUnitId.code, 'unit_outside');
    assert.equal(await units(), unitsBefore);
    const input = body({ unitCode: `EC-D${marker()}` });
    const done = await ok(branchAdmin.post(`/recruitment/applications/${cur.id}/onboard`, input));
    assert.equal(done.application.stage, 'onboarded');
    assert.ok(done.password);
    assert.equal(await units(), unitsBefore + 1);
    // The new dealer admin signs in, at the new unit.
    const dealer = await login(env, slug, input.adminLogin, done.password);
    assert.equal((await dealer.get('/unit-tasks')).status, 200);
    // A retry (lost answer) creates nothing more and names the same unit and user.
    const again = await ok(branchAdmin.post(`/recruitment/applications/${cur.id}/onboard`, input));
    assert.equal(again.dealerUnitId, done.dealerUnitId);
    assert.equal(again.dealerUserId, done.dealerUserId);
    assert.equal(again.password, undefined);
    assert.equal(await units(), unitsBefore + 1);
    const audit = await ok(admin.get(`/admin/audit?object=unit&recordId=${done.dealerUnitId}`));
    assert.ok(JSON.stringify(audit).includes(done.dealerUnitId));
  });
});

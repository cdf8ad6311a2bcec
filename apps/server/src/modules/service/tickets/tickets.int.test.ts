import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../../core/db/tenant-scope.ts';
import { type Client, login, newTenantWithAdmin, useTestEnv } from '../../../testing/harness.ts';

const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
};

let ready: Promise<void> | null = null;
let tenantId = '';
let slug = '';
let admin: Client;
let zhou: Client; // 客服专员 华东
let zhang: Client; // 经销商店长 EC-D1
let wu: Client; // 经销商店长 SC-D1
const users: Record<string, string> = {};
const units: Record<string, string> = {};

/** One tenant for the file: categories, a policy, 周晓燕 handles 维修 for 华东. */
const setup = () =>
  (ready ??= (async () => {
    const t = await newTenantWithAdmin(env, 5);
    tenantId = t.tenantId;
    slug = t.seed.slug;
    admin = t.admin;
    [zhou, zhang, wu] = await Promise.all([
      login(env, slug, 'zhou.xiaoyan'),
      login(env, slug, 'zhang.wei'),
      login(env, slug, 'wu.haitao'),
    ]);
    await inTenant(env.database.db, tenantId, async (tx) => {
      for (const r of (await sql<any>`select id, login from users where tenant_id = ${tenantId}`.execute(tx))
        .rows)
        users[r.login] = r.id;
      for (const r of (await sql<any>`select id, code from units where tenant_id = ${tenantId}`.execute(tx))
        .rows)
        units[r.code] = r.id;
    });
    await ok(
      admin.post('/service/categories', {
        key: 'repair',
        name: '维修',
        fields: [
          { key: 'plate', label: '车牌号', type: 'text', required: true },
          { key: 'part', label: '部位', type: 'select', options: ['发动机', '空调', '车身'] },
        ],
      }),
      201,
    );
    await ok(admin.post('/service/categories', { key: 'consult', name: '咨询' }), 201);
    await ok(
      admin.post('/service/sla-policies', {
        categoryKey: 'repair',
        priority: 'normal',
        firstResponseMinutes: 120,
        resolutionMinutes: 1440,
      }),
      201,
    );
    await ok(
      admin.request('PUT', `/service/agents/${users['zhou.xiaoyan']}/skills`, { categoryKeys: ['repair'] }),
    );
  })());

const repair = (extra: Record<string, unknown> = {}) => ({
  subject: '空调不制冷',
  description: '开空调只出热风，车牌沪A12345',
  categoryKey: 'repair',
  form: { plate: '沪A12345', part: '空调' },
  unitId: units['EC-D1-S1'],
  ...extra,
});

describe('service tickets over HTTP', () => {
  it('files with a validated form, auto-assigns, shows the SLA in business minutes, replies and closes', async () => {
    await setup();
    const bad = await zhang.post('/service/tickets', repair({ form: { part: '轮胎' } }));
    assert.equal(bad.status, 422);
    const fields = bad.body.errors.map((e: any) => e.field).sort();
    assert.deepEqual(fields, ['form.part', 'form.plate']);
    assert.match(bad.body.errors.find((e: any) => e.field === 'form.plate').message, /车牌号/);
    zhang.locale = 'en-US';
    const badEn = await zhang.post('/service/tickets', repair({ form: {} }));
    assert.match(badEn.body.errors[0].message, /Enter “车牌号”/);
    zhang.locale = 'zh-CN';

    const t = await ok(zhang.post('/service/tickets', repair({ idempotencyKey: 'ik-1' })), 201);
    const again = await ok(zhang.post('/service/tickets', repair({ idempotencyKey: 'ik-1' })), 201);
    assert.equal(again.id, t.id);
    assert.equal(t.status, 'assigned');
    assert.equal(t.assigneeId, users['zhou.xiaoyan']);
    assert.equal(t.sla.target, 'first_response');
    assert.ok(['running', 'warning', 'breached'].includes(t.sla.state));
    assert.ok(t.sla.minutesLeft <= 120);
    assert.equal(t.messages[0].kind, 'customer');

    // the assignee sees it in "mine" with the badge; list is unit-scoped
    const mine = await ok(zhou.get('/service/tickets?assignee=me'));
    assert.ok(mine.items.some((x: any) => x.id === t.id));
    assert.equal((await wu.get(`/service/tickets/${t.id}`)).status, 404, 'another dealer');
    const wuList = await ok(wu.get('/service/tickets'));
    assert.ok(!wuList.items.some((x: any) => x.id === t.id));

    // an internal note does not count as a response; a reply does and takes it in hand
    let d = await ok(zhou.post(`/service/tickets/${t.id}/messages`, { kind: 'note', body: '先查保修' }), 201);
    assert.equal(d.clocks[0].state === 'met', false);
    d = await ok(
      zhou.post(`/service/tickets/${t.id}/messages`, { kind: 'reply', body: '您好，请明天到店检测' }),
      201,
    );
    assert.equal(d.status, 'in_progress');
    assert.equal(d.clocks[0].metAt !== null, true);
    assert.equal(d.sla.target, 'resolution');

    // waiting for the customer pauses; a stale version is refused
    d = await ok(zhou.patch(`/service/tickets/${t.id}`, { version: d.version, status: 'waiting_customer' }));
    assert.equal(d.sla.state, 'paused');
    const stale = await zhou.patch(`/service/tickets/${t.id}`, {
      version: d.version - 1,
      status: 'resolved',
    });
    assert.equal(stale.status, 409);
    const jump = await zhou.patch(`/service/tickets/${t.id}`, { version: d.version, status: 'closed' });
    assert.equal(jump.status, 409);
    assert.equal(jump.body.reason, 'bad_transition');
    d = await ok(
      zhou.post(`/service/tickets/${t.id}/messages`, { kind: 'customer', body: '明天上午到' }),
      201,
    );
    assert.equal(d.status, 'in_progress');
    d = await ok(zhou.patch(`/service/tickets/${t.id}`, { version: d.version, status: 'resolved' }));
    d = await ok(zhou.patch(`/service/tickets/${t.id}`, { version: d.version, status: 'closed' }));
    assert.equal(d.status, 'closed');
    assert.equal(
      (await zhou.post(`/service/tickets/${t.id}/messages`, { kind: 'reply', body: 'x' })).status,
      409,
    );
    const types = d.events.map((e: any) => e.type);
    for (const x of ['created', 'assigned', 'status', 'sla_resumed']) assert.ok(types.includes(x), x);

    // reopen as a complaint goes back to the assignee
    d = await ok(zhang.post(`/service/tickets/${t.id}/reopen`, { asComplaint: true, reason: '回访不满意' }));
    assert.equal(d.kind, 'complaint');
    assert.equal(d.status, 'assigned');
  });

  it('merges and splits keeping history; attachments are checked; reassigning needs a handler', async () => {
    await setup();
    const a = await ok(zhou.post('/service/tickets', repair({ subject: '异响 A' })), 201);
    const b = await ok(
      zhou.post('/service/tickets', repair({ subject: '异响 B', description: '底盘异响' })),
      201,
    );
    // attachment: type by content, not by name
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
    const fake = await zhou.post(`/service/tickets/${b.id}/attachments`, {
      fileName: 'x.png',
      mime: 'image/png',
      content: Buffer.from('<script>').toString('base64'),
    });
    assert.equal(fake.status, 422);
    const exe = await zhou.post(`/service/tickets/${b.id}/attachments`, {
      fileName: 'x.exe',
      mime: 'application/x-msdownload',
      content: png,
    });
    assert.equal(exe.status, 422);
    const att = await ok(
      zhou.post(`/service/tickets/${b.id}/attachments`, {
        fileName: '照片.png',
        mime: 'image/png',
        content: png,
      }),
      201,
    );
    await ok(
      zhou.post(`/service/tickets/${b.id}/messages`, {
        kind: 'note',
        body: '见照片',
        attachmentIds: [att.id],
      }),
      201,
    );
    const file = await zhou.get(`/service/attachments/${att.id}`);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
    assert.equal((await wu.get(`/service/attachments/${att.id}`)).status, 404);

    const merged = await ok(
      zhou.post(`/service/tickets/${b.id}/merge`, {
        intoTicketId: a.id,
        version: (await ok(zhou.get(`/service/tickets/${b.id}`))).version,
      }),
    );
    assert.equal(merged.id, a.id);
    assert.ok(merged.messages.some((m: any) => m.fromTicketId === b.id && m.attachments.length === 1));
    assert.ok(merged.links.some((l: any) => l.object === 'service_ticket' && l.recordId === b.id));
    const gone = await ok(zhou.get(`/service/tickets/${b.id}`));
    assert.equal(gone.status, 'merged');
    assert.equal(gone.mergedInto, a.id);
    assert.equal(
      (await zhou.post(`/service/tickets/${a.id}/merge`, { intoTicketId: a.id, version: 1 })).status,
      409,
    );

    const moved = merged.messages.filter((m: any) => m.fromTicketId === b.id).map((m: any) => m.id);
    const split = await ok(
      zhou.post(`/service/tickets/${a.id}/split`, {
        messageIds: moved,
        subject: '底盘异响（拆分）',
        version: merged.version,
      }),
      201,
    );
    assert.equal(split.splitFrom, a.id);
    assert.equal(split.messages.length, moved.length);
    const after = await ok(zhou.get(`/service/tickets/${a.id}`));
    assert.ok(after.events.some((e: any) => e.type === 'split_to'));

    // reassign: only to someone who can handle, above the ticket's unit
    const sales = await zhou.patch(`/service/tickets/${a.id}`, {
      version: after.version,
      assigneeId: users['sun.lei'],
    });
    assert.equal(sales.status, 422);
    const sc = await zhou.patch(`/service/tickets/${a.id}`, {
      version: after.version,
      assigneeId: users['lin.lijuan'],
    });
    assert.equal(sc.status, 422, 'a handler of another region');
    const re = await ok(
      zhou.patch(`/service/tickets/${a.id}`, { version: after.version, assigneeId: users['zhang.wei'] }),
    );
    assert.equal(re.assigneeId, users['zhang.wei']);
  });

  it('counts the queue (open, mine, breached, by status and category) as the list shows it', async () => {
    await setup();
    await ok(admin.post('/service/tickets', repair({ subject: '超时测试' })), 201);
    // One open ticket past its resolution deadline, one past its first-response deadline.
    await inTenant(env.database.db, tenantId, async (tx) => {
      await sql`update service_tickets set resolution_due_at = now() - interval '1 hour'
        where id = (select id from service_tickets where status in ('new', 'assigned') and resolved_at is null
          order by created_at limit 1)`.execute(tx);
      await sql`update service_tickets set first_response_due_at = now() - interval '1 hour', first_responded_at = null
        where id = (select id from service_tickets where status in ('new', 'assigned') order by created_at desc limit 1)`.execute(
        tx,
      );
    });
    for (const who of [admin, zhang]) {
      const s = await ok(who.get('/service/stats'));
      const open = await ok(who.get('/service/tickets?status=open&limit=100'));
      const breached = await ok(who.get('/service/tickets?status=open&breached=true&limit=100'));
      // The list leaves merged tickets out unless asked; the counters count them.
      const all = await ok(who.get('/service/tickets?limit=100'));
      all.items.push(...(await ok(who.get('/service/tickets?status=merged&limit=100'))).items);
      assert.equal(s.open, open.items.length);
      assert.equal(s.breached, breached.items.length);
      const byStatus: Record<string, number> = {};
      for (const t of all.items) byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
      assert.deepEqual(Object.fromEntries(s.byStatus.map((x: any) => [x.status, x.n])), byStatus);
      assert.equal(
        s.byCategory.reduce((a: number, x: any) => a + x.n, 0),
        s.open,
      );
    }
    assert.ok((await ok(admin.get('/service/stats'))).breached >= 1);
  });

  it('other tenants see nothing; settings need service:manage; the calendar is versioned', async () => {
    await setup();
    const other = await newTenantWithAdmin(env, 3);
    const t = await ok(zhou.post('/service/tickets', repair()), 201);
    assert.equal((await other.admin.get(`/service/tickets/${t.id}`)).status, 404);
    assert.equal(
      (await other.admin.patch(`/service/tickets/${t.id}`, { version: 1, priority: 'high' })).status,
      404,
    );
    assert.equal((await zhang.post('/service/categories', { key: 'x', name: 'x' })).status, 403);
    const cal = await ok(admin.get('/service/calendar'));
    assert.equal(cal.saved, false);
    assert.ok(cal.days.some((d: any) => d.day === '2026-10-10' && d.kind === 'workday'));
    const badWin = await admin.request('PUT', '/service/calendar', {
      ...cal,
      dayStart: '18:00',
      dayEnd: '09:00',
    });
    assert.equal(badWin.status, 422);
    const saved = await ok(admin.request('PUT', '/service/calendar', { ...cal, dayStart: '08:30' }));
    assert.equal(saved.saved, true);
    assert.equal(saved.dayStart, '08:30');
    assert.equal(
      (await admin.request('PUT', '/service/calendar', { ...cal, dayStart: '08:00' })).status,
      409,
    );
  });

  it('knowledge base: sanitised, jieba search, suggestions for a ticket, public help pages escaped', async () => {
    await setup();
    const a = await ok(
      zhou.post('/service/kb', {
        title: '空调不制冷怎么办',
        category: '维修',
        bodyHtml: '<p onclick="x()">检查空调滤芯和冷媒<script>alert(1)</script></p>',
        status: 'published',
        public: true,
      }),
      201,
    );
    assert.ok(!a.bodyHtml.includes('script') && !a.bodyHtml.includes('onclick'));
    await ok(
      zhou.post('/service/kb', {
        title: '<b>保养</b>周期说明',
        bodyHtml: '<p>首保 5000 公里</p>',
        status: 'published',
        public: true,
      }),
      201,
    );
    await ok(
      zhou.post('/service/kb', { title: '内部：投诉处理流程', bodyHtml: '<p>升级</p>', status: 'draft' }),
      201,
    );
    const found = await ok(zhou.get(`/service/kb?q=${encodeURIComponent('空调制冷')}`));
    assert.equal(found.items[0].id, a.id);
    const t = await ok(zhou.post('/service/tickets', repair()), 201);
    const sug = await ok(zhou.get(`/service/tickets/${t.id}/suggestions`));
    assert.equal(sug.items[0].id, a.id);
    assert.ok(sug.items.length <= 3);
    // the sales consultant reads published articles only
    const sun = await login(env, slug, 'sun.lei');
    const seen = await ok(sun.get('/service/kb'));
    assert.ok(!seen.items.some((x: any) => x.status === 'draft'));

    const res = await fetch(`${env.baseUrl}/help/${slug}`);
    const html = await res.text();
    assert.equal(res.status, 200);
    assert.ok(html.includes('&lt;b&gt;保养&lt;/b&gt;周期说明'), 'titles escaped');
    assert.ok(!html.includes('内部：投诉处理流程'), 'drafts stay private');
    const page = await (await fetch(`${env.baseUrl}/help/${slug}/${a.id}`)).text();
    assert.ok(page.includes('检查空调滤芯') && !page.includes('<script>alert'));
    assert.equal((await fetch(`${env.baseUrl}/help/no-such-tenant-zz`)).status, 404);
  });
});

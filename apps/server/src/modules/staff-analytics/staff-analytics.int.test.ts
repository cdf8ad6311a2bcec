import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { type Client, login, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { seedStaffFigures } from './staff-analytics.fixture.ts';

const env = useTestEnv();

describe('staff analytics (员工数据)', () => {
  let admin: Client;
  let slug: string;
  let tenantId: string;
  let f: Awaited<ReturnType<typeof seedStaffFigures>>;
  const units = new Map<string, string>();
  const period = () => `from=${f.d1}&to=${f.d2}`;
  const dash = async (c: Client, extra = '') => {
    const res = await c.get(`/staff-analytics/dashboard?${period()}${extra}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const names = (d: any) => d.staff.map((s: any) => s.userId).sort();
  before(async () => {
    const t = await newTenantWithAdmin(env, 0);
    admin = t.admin;
    slug = t.seed.slug;
    tenantId = t.tenantId;
    f = await seedStaffFigures(env, tenantId);
    await inTenant(env.database.db, tenantId, async (tx) => {
      for (const u of (await sql<{ id: string; code: string }>`select id, code from units`.execute(tx)).rows)
        units.set(u.code, u.id);
    });
  });

  it('adds up every source per staff member, per team, per day and in total', async () => {
    const d = await dash(admin);
    assert.equal(d.scope, 'tenant');
    const sun = d.staff.find((s: any) => s.userId === f.ids['sun.lei']).figures;
    assert.deepEqual(
      {
        added: sun.added,
        deletedByCustomer: sun.deletedByCustomer,
        chats: sun.chats,
        wecomReplyRate: sun.wecomReplyRate,
        wecomAvgReplyMinutes: sun.wecomAvgReplyMinutes,
        groupNewMembers: sun.groupNewMembers,
        asked: sun.asked,
        replyRate: sun.replyRate,
        firstReplyMinutes: sun.firstReplyMinutes,
        materialsSent: sun.materialsSent,
        materialOpens: sun.materialOpens,
        avgReadSeconds: sun.avgReadSeconds,
        materialLeads: sun.materialLeads,
        sopDue: sun.sopDue,
        sopDone: sun.sopDone,
        sopOverdue: sun.sopOverdue,
        sopCompletion: sun.sopCompletion,
        massSent: sun.massSent,
        massRecipients: sun.massRecipients,
      },
      {
        added: 3,
        deletedByCustomer: 1,
        chats: 10,
        // (50 × 4 + 100 × 6) / 10 and (6 × 4 + 1 × 6) / 10: weighted by chats, not a mean of daily rates.
        wecomReplyRate: 80,
        wecomAvgReplyMinutes: 3,
        groupNewMembers: 2,
        asked: 2,
        replyRate: 50,
        firstReplyMinutes: 4,
        materialsSent: 1,
        materialOpens: 2,
        avgReadSeconds: 90,
        materialLeads: 1,
        sopDue: 2,
        sopDone: 1,
        sopOverdue: 1,
        sopCompletion: 50,
        massSent: 1,
        massRecipients: 5,
      },
    );
    const zhao = d.staff.find((s: any) => s.userId === f.ids['zhao.jing']).figures;
    assert.equal(zhao.massSent, 0);
    assert.equal(zhao.replyRate, null, 'no conversation: no rate rather than 0 %');
    assert.equal(d.total.added, 11);
    assert.equal(d.daily.length, 2);
    assert.deepEqual(
      d.daily.map((x: any) => [x.day, x.figures.added]),
      [
        [f.d1, 10],
        [f.d2, 1],
      ],
    );
    assert.deepEqual(d.channels, [
      { channel: '', added: 8 },
      { channel: 'expo', added: 3 },
    ]);
    const store = d.teams.find((t: any) => t.unitId === units.get('EC-D1-S1'));
    assert.equal(store.staff, 2);
    assert.equal(store.figures.added, 4);
    assert.ok(
      d.metrics.every((m: any) => !['replyMinutes', 'readSeconds'].includes(m.key)),
      'building blocks hidden',
    );
  });

  it('says the same as the WeCom activity page', async () => {
    const a = (await admin.get('/wecom/activity?days=14')).body;
    const inPeriod = a.rows.filter((r: any) => r.day >= f.d1 && r.day <= f.d2);
    const sum = (k: string) => inPeriod.reduce((s: number, r: any) => s + (r[k] ?? 0), 0);
    const d = await dash(admin);
    assert.equal(d.total.added, sum('added'));
    assert.equal(d.total.deletedByCustomer, sum('deletedByCustomer'));
    assert.equal(d.total.chats, sum('chats'));
  });

  it('narrows to a team (unit or unit tree) and drills down to one staff member', async () => {
    const ec = units.get('EC')!;
    assert.deepEqual(
      names(await dash(admin, `&unitId=${ec}`)),
      [],
      'nobody with figures sits in the region itself',
    );
    const tree = await dash(admin, `&unitId=${ec}&tree=true`);
    assert.deepEqual(names(tree), [f.ids['sun.lei'], f.ids['zhao.jing'], f.ids['ma.chao']].sort());
    assert.equal(tree.total.added, 6);
    const one = await dash(admin, `&staffUserId=${f.ids['sun.lei']}`);
    assert.deepEqual(names(one), [f.ids['sun.lei']]);
    assert.equal(one.total.added, 3);
    assert.deepEqual(one.channels, [
      { channel: 'expo', added: 2 },
      { channel: '', added: 1 },
    ]);
  });

  it('is scoped: a dealer manager sees her dealer only, not a sibling dealer or the unit above', async () => {
    const zhang = await login(env, slug, 'zhang.wei');
    const d = await dash(zhang);
    assert.equal(d.scope, 'unit_tree');
    assert.deepEqual(names(d), [f.ids['sun.lei'], f.ids['zhao.jing']].sort());
    assert.equal(d.total.added, 4);
    assert.deepEqual(d.channels, [
      { channel: 'expo', added: 3 },
      { channel: '', added: 1 },
    ]);
    for (const q of [
      `&unitId=${units.get('EC-D2')}`,
      `&unitId=${units.get('EC')}`,
      `&staffUserId=${f.ids['ma.chao']}`,
    ]) {
      const res = await zhang.get(`/staff-analytics/dashboard?${period()}${q}`);
      assert.equal(res.status, 404, q);
    }
    const region = await login(env, slug, 'chen.zhiqiang');
    assert.deepEqual(
      names(await dash(region)),
      [f.ids['sun.lei'], f.ids['zhao.jing'], f.ids['ma.chao']].sort(),
    );
  });

  it('shows a salesperson herself only', async () => {
    const zhao = await login(env, slug, 'zhao.jing');
    const d = await dash(zhao);
    assert.equal(d.scope, 'own');
    assert.deepEqual(names(d), [f.ids['zhao.jing']]);
    assert.equal(d.total.added, 1);
    assert.equal(d.total.massSent, 0);
    for (const q of [`&staffUserId=${f.ids['sun.lei']}`, `&unitId=${units.get('EC-D1-S1')}`])
      assert.equal((await zhao.get(`/staff-analytics/dashboard?${period()}${q}`)).status, 404, q);
    assert.equal((await zhao.get(`/staff-analytics/export?${period()}`)).status, 403, 'no export right');
  });

  it('shows another tenant nothing of this one', async () => {
    const other = await newTenantWithAdmin(env, 0);
    const d = await dash(other.admin);
    assert.deepEqual(d.staff, []);
    assert.equal(d.total.added, 0);
    const res = await other.admin.get(
      `/staff-analytics/dashboard?${period()}&staffUserId=${f.ids['sun.lei']}`,
    );
    assert.equal(res.status, 404);
  });

  it('refuses a bad period with the field named', async () => {
    const cases: [string, string][] = [
      [`from=${f.d2}&to=${f.d1}`, 'to'],
      [`from=${f.d1}`, 'to'],
      ['from=2026-02-30&to=2026-03-01', 'from'],
      ['from=2024-01-01&to=2025-06-01', 'from'],
      ['from=2020-01-01&to=2999-01-01', 'to'],
    ];
    for (const [q, field] of cases) {
      const res = await admin.get(`/staff-analytics/dashboard?${q}`);
      assert.equal(res.status, 422, q);
      assert.equal(res.body.errors[0].field, field, q);
      assert.ok(res.body.errors[0].message, 'localised message');
    }
    for (const q of ['days=0', 'days=abc', 'unitId=nope', 'from=yesterday&to=today', 'colour=red']) {
      const res = await admin.get(`/staff-analytics/dashboard?${q}`);
      assert.ok([400, 422].includes(res.status), `${q}: ${res.status}`);
    }
  });

  it('exports the ranking as formula-safe CSV and audits the export', async () => {
    await inTenant(env.database.db, tenantId, (tx) =>
      sql`update users set name = '=HYPERLINK("x")' where id = ${f.ids['guo.min']}`.execute(tx),
    );
    const res = await admin.request('GET', `/staff-analytics/export?${period()}`, undefined, {
      'accept-language': 'en-US',
    });
    assert.equal(res.status, 200);
    const text = String(res.body);
    const lines = text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    assert.match(lines[0]!, /^Staff member,Team,Customers added,/);
    assert.ok(
      lines.some((l) => l.startsWith(`"'=HYPERLINK(""x"")"`)),
      'formula neutralised',
    );
    assert.match(lines.at(-1)!, /^Total,,11,/);
    const audit = await inTenant(
      env.database.db,
      tenantId,
      async (tx) =>
        (
          await sql<{
            meta: any;
          }>`select meta from audit_log where action = 'export' and object = 'staff_analytics'`.execute(tx)
        ).rows,
    );
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.meta.from, f.d1);
  });
});

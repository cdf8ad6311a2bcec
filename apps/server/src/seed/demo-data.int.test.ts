import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { migrateAll } from '../app.ts';
import { loadConfig } from '../core/config.ts';
import { type Database, openDatabase } from '../core/db/database.ts';
import { DEMO_REGION_CODES, type SeedResult, seedDemoTenant, tenantExists } from './demo-data.ts';
import { type DemoStoryResult, seedDemoStory } from './demo-story.ts';

const ROLE_NAMES = [
  '系统管理员',
  '总部销售经理',
  '区域经理',
  '经销商店长',
  '销售顾问',
  '客服专员',
  '数据分析师',
];
const MOBILE = /^1[3-9]\d{9}$/;
const uniqueSlug = (label: string) => `seed-${label}-${randomBytes(4).toString('hex')}`;

// `npm test` runs this file in its PostgreSQL section and again in its PGlite section: each section
// seeds on its own database only (run alone with DATABASE_URL, it seeds on both).
const targets: { label: string; open: () => Promise<Database> }[] =
  process.env.KEHU_TEST_DB === 'postgres'
    ? []
    : [{ label: 'PGlite', open: () => openDatabase({ dataDir: 'memory://' }) }];
if (process.env.DATABASE_URL) {
  targets.push({
    label: 'PostgreSQL',
    open: () => openDatabase({ url: process.env.DATABASE_URL, poolSize: 4 }),
  });
}

for (const target of targets) {
  describe(`demo tenant seeding on ${target.label}`, () => {
    let database: Database;
    let seeded: SeedResult;
    const progress: [number, number][] = [];
    const rows = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(database.db)).rows;

    before(async () => {
      database = await target.open();
      await migrateAll(database.db);
      seeded = await seedDemoTenant(database, {
        customers: 300,
        slug: uniqueSlug('a'),
        onProgress: (done, total) => progress.push([done, total]),
      });
    });
    after(() => database.close());

    it('reports the tenant as existing only once seeded', async () => {
      assert.equal(await tenantExists(database, seeded.slug), true);
      assert.equal(await tenantExists(database, uniqueSlug('absent')), false);
    });

    it('builds an org tree of HQ, 2 regions, 4 dealers and 8 stores with consistent paths', async () => {
      const units = await rows(sql<{
        id: string;
        parent_id: string | null;
        type: string;
        code: string;
        path: string;
        depth: number;
      }>`
        select id, parent_id, type, code, path, depth from units where tenant_id = ${seeded.tenantId}`);
      assert.equal(units.length, 15);
      const byId = new Map(units.map((u) => [u.id, u]));
      const count = (type: string) => units.filter((u) => u.type === type).length;
      assert.deepEqual([count('hq'), count('region'), count('dealer'), count('store')], [1, 2, 4, 8]);
      const expectedParentType: Record<string, string> = { region: 'hq', dealer: 'region', store: 'dealer' };
      for (const u of units) {
        if (u.type === 'hq') {
          assert.equal(u.parent_id, null);
          assert.equal(u.path, `/${u.id}/`);
          assert.equal(u.depth, 0);
          continue;
        }
        const parent = byId.get(u.parent_id!)!;
        assert.equal(parent.type, expectedParentType[u.type]);
        assert.equal(u.path, `${parent.path}${u.id}/`);
        assert.equal(u.depth, parent.depth + 1);
        assert.ok(u.code.startsWith(parent.type === 'hq' ? '' : `${parent.code}-`), u.code);
      }
      // Two children everywhere below HQ.
      for (const u of units.filter((x) => x.type === 'region' || x.type === 'dealer')) {
        assert.equal(units.filter((c) => c.parent_id === u.id).length, 2);
      }
    });

    it('creates all seven roles and at least 20 users, each with a role and a mobile phone', async () => {
      const roles = await rows(sql<{ name: string; permissions: string[] }>`
        select name, permissions from roles where tenant_id = ${seeded.tenantId}`);
      assert.deepEqual(roles.map((r) => r.name).sort(), [...ROLE_NAMES].sort());
      assert.deepEqual(roles.find((r) => r.name === '系统管理员')!.permissions, ['*']);

      const users = await rows(sql<{
        login: string;
        email: string;
        phone: string;
        role: string;
        unit_type: string;
      }>`
        select u.login, u.email, u.phone, r.name as role, un.type as unit_type
        from users u
        join user_roles ur on ur.tenant_id = u.tenant_id and ur.user_id = u.id
        join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id
        join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
        where u.tenant_id = ${seeded.tenantId}`);
      assert.ok(users.length >= 20, `${users.length} users`);
      assert.equal(users.length, seeded.users.length);
      const admin = users.find((u) => u.login === seeded.adminLogin)!;
      assert.equal(admin.role, '系统管理员');
      assert.equal(admin.unit_type, 'hq');
      for (const u of users) {
        assert.match(u.phone, MOBILE);
        assert.equal(u.email, `${u.login}@demo.kehu`);
      }
      assert.ok(users.filter((u) => u.role === '销售顾问').every((u) => u.unit_type === 'store'));
      assert.ok(users.filter((u) => u.role === '经销商店长').every((u) => u.unit_type === 'dealer'));
    });

    it('inserts the requested number of customers with valid phones, regions and owners', async () => {
      const [stats] = await rows(sql<{
        n: number;
        companies: number;
        bad_phone: number;
        bad_region: number;
        bad_owner: number;
      }>`
        select count(*)::int as n,
          count(*) filter (where c.kind = 'company')::int as companies,
          count(*) filter (where c.phone is not null and c.phone !~ '^1[3-9][0-9]{9}$')::int as bad_phone,
          count(*) filter (where not exists (select 1 from regions g where g.code = c.region))::int as bad_region,
          count(*) filter (where u.unit_id is distinct from c.unit_id)::int as bad_owner
        from customers c
        left join users u on u.tenant_id = c.tenant_id and u.id = c.owner_id
        where c.tenant_id = ${seeded.tenantId}`);
      assert.equal(stats!.n, 300);
      assert.ok(stats!.companies > 150 && stats!.companies < 260, `${stats!.companies} companies`);
      assert.equal(stats!.bad_phone, 0);
      assert.equal(stats!.bad_region, 0);
      assert.equal(stats!.bad_owner, 0);
      assert.deepEqual(progress.at(-1), [300, 300]);
    });

    it('gives every company customer one or two contacts and no person customer any', async () => {
      const counts = await rows(sql<{ kind: string; contacts: number }>`
        select c.kind, (select count(*)::int from contacts k where k.tenant_id = c.tenant_id and k.customer_id = c.id) as contacts
        from customers c where c.tenant_id = ${seeded.tenantId}`);
      for (const c of counts) {
        if (c.kind === 'company') assert.ok(c.contacts >= 1 && c.contacts <= 2);
        else assert.equal(c.contacts, 0);
      }
    });

    it('stores company revenue as integer fen in CNY', async () => {
      const revenue = await rows(sql<{ annual_revenue: { amount: number; currency: string } }>`
        select annual_revenue from customers where tenant_id = ${seeded.tenantId} and kind = 'company' limit 20`);
      for (const { annual_revenue: r } of revenue) {
        assert.equal(r.currency, 'CNY');
        assert.ok(Number.isInteger(r.amount) && r.amount > 0);
      }
    });

    it('only ever emits region codes that exist in the reference data', async () => {
      const known = await rows(
        sql<{ code: string }>`select code from regions where code in (${sql.join(DEMO_REGION_CODES)})`,
      );
      assert.equal(known.length, DEMO_REGION_CODES.length);
    });

    it('produces the same customers for the same seed', async () => {
      const other = await seedDemoTenant(database, { customers: 300, slug: uniqueSlug('b') });
      const firstTen = async (tenantId: string) =>
        (
          await rows(sql<{ name: string; phone: string | null }>`
            select name, phone from customers where tenant_id = ${tenantId} order by id limit 10`)
        ).map((r) => `${r.name} ${r.phone}`);
      assert.deepEqual(await firstTen(other.tenantId), await firstTen(seeded.tenantId));
      const different = await seedDemoTenant(database, { customers: 10, seed: 7, slug: uniqueSlug('c') });
      assert.notDeepEqual(await firstTen(different.tenantId), await firstTen(seeded.tenantId));
    });
  });
}

for (const target of targets) {
  describe(`demo story on first start, on ${target.label}`, () => {
    let database: Database;
    let seeded: SeedResult;
    let story: DemoStoryResult;
    const one = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(database.db)).rows[0]!;

    before(async () => {
      database = await target.open();
      await migrateAll(database.db);
      seeded = await seedDemoTenant(database, { customers: 50, slug: uniqueSlug('story') });
      story = await seedDemoStory(loadConfig({ ...process.env, LOG_LEVEL: 'silent' }), database, seeded);
    });
    after(() => database.close());

    it('puts leads in the inboxes, some minutes from their first-response deadline', async () => {
      const t = seeded.tenantId;
      const leads = await one(sql<{
        n: number;
        owners: number;
        soon: number;
        answered: number;
        converted: number;
      }>`
        select count(*)::int as n, count(distinct owner_id)::int as owners,
          count(*) filter (where first_responded_at is null and first_response_due_at between now() and now() + interval '10 minutes')::int as soon,
          count(*) filter (where first_responded_at is not null)::int as answered,
          count(*) filter (where status = 'converted')::int as converted
        from leads where tenant_id = ${t}`);
      assert.equal(story.leads, 16);
      // Other modules' demos add leads of their own (campaign registrations): the story's are among them.
      assert.ok(leads.n >= 16, `${leads.n} leads`);
      assert.ok(leads.owners >= 4, `${leads.owners} owners`);
      assert.ok(leads.soon > 0, 'a lead minutes from its first-response deadline');
      assert.ok(leads.answered >= 4, `${leads.answered} answered`);
      assert.ok(leads.converted >= 1, `${leads.converted} converted`);
    });

    it('has opportunities across the stages, a quote awaiting approval, a contract, an order and a receipt', async () => {
      const t = seeded.tenantId;
      const stages = await one(sql<{ stages: string[] }>`
        select array_agg(distinct stage order by stage) as stages from opportunities where tenant_id = ${t}`);
      assert.deepEqual(stages.stages, ['closing', 'discovery', 'lost', 'solution', 'trust', 'won']);
      const docs = await one(sql<{
        pending: string;
        contracts: number;
        orders: number;
        payments: number;
        approvals: number;
      }>`
        select (select status from quotes where tenant_id = ${t} and id = ${story.pendingQuoteId}) as pending,
          (select count(*)::int from contracts where tenant_id = ${t} and status = 'active') as contracts,
          (select count(*)::int from orders where tenant_id = ${t} and id = ${story.orderId} and payment_status = 'partial') as orders,
          (select count(*)::int from payments where tenant_id = ${t}) as payments,
          (select count(*)::int from approval_requests where tenant_id = ${t} and status = 'pending') as approvals`);
      // Loyalty's demo pays orders (receipts) and TPM's waits for approval: the story's are among them.
      assert.equal(docs.pending, 'pending_approval');
      assert.equal(docs.contracts, 1);
      assert.equal(docs.orders, 1);
      assert.ok(docs.payments >= 1, `${docs.payments} receipts`);
      assert.ok(docs.approvals >= 1, `${docs.approvals} pending approvals`);
    });

    it('has a CDP source with events, merged and CRM-linked profiles, tags in groups and segments with members', async () => {
      const t = seeded.tenantId;
      const cdp = await one(sql<{
        sources: number;
        events: number;
        oldest: number;
        profiles: number;
        merges: number;
        links: number;
        pending: number;
        groups: number;
      }>`
        select (select count(*)::int from cdp_sources where tenant_id = ${t}) as sources,
          (select count(*)::int from cdp_events where tenant_id = ${t}) as events,
          (select extract(day from now() - min(ts))::int from cdp_events where tenant_id = ${t}) as oldest,
          (select count(*)::int from cdp_profiles where tenant_id = ${t} and merged_into is null) as profiles,
          (select count(*)::int from cdp_merges where tenant_id = ${t}) as merges,
          (select count(*)::int from cdp_profile_links l join cdp_identities i on i.tenant_id = l.tenant_id and i.profile_id = l.profile_id
             where l.tenant_id = ${t} and i.kind = 'anonymous_id') as links,
          (select count(*)::int from cdp_pending where tenant_id = ${t}) as pending,
          (select count(*)::int from cdp_tag_groups where tenant_id = ${t}) as groups`);
      assert.ok(cdp.sources >= 2, `${cdp.sources} sources`);
      // Other modules' demos send events of their own (survey answers, member traits …).
      assert.ok(cdp.events >= story.events, `${cdp.events} events, the story sent ${story.events}`);
      assert.ok(cdp.events >= 4000, `${cdp.events} events`);
      assert.ok(cdp.oldest >= 190 && cdp.oldest <= 201, `oldest event ${cdp.oldest} days ago`);
      assert.ok(cdp.profiles >= 400, `${cdp.profiles} profiles`);
      assert.ok(cdp.merges >= 20, `${cdp.merges} merges`);
      assert.ok(cdp.links >= 5, `${cdp.links} CRM customers linked to a profile with web history`);
      assert.equal(cdp.pending, 0);
      assert.equal(cdp.groups, 3);
      const tags = (
        await sql<{ kind: string; n: number }>`select t.kind, (select count(*)::int from cdp_subject_tags s
            where s.tenant_id = t.tenant_id and s.tag_id = t.id) as n from cdp_tags t
            where t.tenant_id = ${t} and t.object = 'profile' order by t.kind`.execute(database.db)
      ).rows;
      for (const kind of ['attribute', 'behaviour', 'crm', 'metric', 'predicted', 'score'])
        assert.ok(
          tags.some((x) => x.kind === kind && x.n > 0),
          `a tag of kind ${kind} is set on someone`,
        );
      const segs = (
        await sql<{
          name: string;
          member_count: number;
        }>`select name, member_count from cdp_segments where tenant_id = ${t}`.execute(database.db)
      ).rows;
      assert.ok(segs.filter((x) => x.member_count > 0).length >= 5, 'the story’s segments have members');
    });

    it('trains the churn model on the demo history: a fitted model, not the heuristic fallback', async () => {
      const t = seeded.tenantId;
      const m = await one(sql<{ method: string; labelled: number; auc: number; scored: number }>`
        select m.method, (m.metrics->>'labelled')::int as labelled, (m.metrics->>'auc')::float as auc, m.scored
        from cdp_prediction_models m join cdp_tags g on g.tenant_id = m.tenant_id and g.id = m.tag_id
        where m.tenant_id = ${t} and g.key = 'churn_risk'`);
      assert.equal(m.method, 'model');
      assert.ok(m.labelled >= 200, `${m.labelled} labelled profiles`);
      assert.ok(m.auc > 0.6, `hold-out AUC ${m.auc}`);
      assert.ok(m.scored > 0);
    });

    it('has the custom object 车辆 with 60 vehicles of customers, a tag and the segment 待保养车辆 over them', async () => {
      const t = seeded.tenantId;
      const v = await one(sql<{
        n: number;
        owned: number;
        due_soon: number;
        ev: number;
        due_tagged: number;
        ev_tagged: number;
        serviced: number;
        members: number;
      }>`
        select count(*)::int as n,
          count(*) filter (where exists (select 1 from customers c where c.tenant_id = r.tenant_id and c.id::text = r.data->>'c_owner_customer'))::int as owned,
          count(*) filter (where (r.data->>'c_insurance_expiry')::date between (now() at time zone 'Asia/Shanghai')::date
            and (now() at time zone 'Asia/Shanghai')::date + 30)::int as due_soon,
          count(*) filter (where r.data->>'c_energy' in ('ev', 'hybrid'))::int as ev,
          (select count(*)::int from cdp_subject_tags s join cdp_tags g on g.tenant_id = s.tenant_id and g.id = s.tag_id
            where s.tenant_id = ${t} and g.key = 'insurance_due_30d') as due_tagged,
          (select count(*)::int from cdp_subject_tags s join cdp_tags g on g.tenant_id = s.tenant_id and g.id = s.tag_id
            where s.tenant_id = ${t} and g.key = 'new_energy') as ev_tagged,
          count(*) filter (where (r.data->>'c_km_since_service')::numeric >= 5000)::int as serviced,
          (select member_count from cdp_segments where tenant_id = ${t} and name = '待保养车辆' and object = 'vehicle') as members
        from custom_records r where r.tenant_id = ${t} and r.object = 'vehicle' and r.deleted_at is null`);
      assert.equal(v.n, 60);
      assert.equal(v.owned, 60);
      assert.ok(v.due_soon > 0, 'some policies are due within 30 days');
      assert.equal(v.due_tagged, v.due_soon);
      assert.ok(v.ev > 0);
      assert.equal(v.ev_tagged, v.ev);
      assert.ok(v.serviced > 0 && v.serviced < 60, `${v.serviced} vehicles due for service`);
      assert.equal(v.members, v.serviced);
    });
  });
}

describe('region reference data', () => {
  let database: Database;
  before(async () => {
    database = await openDatabase({ dataDir: 'memory://' });
    await migrateAll(database.db);
  });
  after(() => database.close());

  it('holds all 34 provincial-level divisions, every row under an existing parent one level up', async () => {
    const { rows } = await sql<{ level: number; n: number }>`
      select level, count(*)::int as n from regions group by level order by level`.execute(database.db);
    assert.equal(rows[0]!.n, 34);
    const orphans = await sql<{ code: string }>`
      select r.code from regions r left join regions p on p.code = r.parent_code
      where (r.level = 1 and r.parent_code is not null)
         or (r.level = 2 and (p.level is distinct from 1))
         or (r.level = 3 and (p.level is null or p.level >= 3))
         or r.code !~ '^[0-9]{6}$'
         or left(r.code, 2) <> left(coalesce(r.parent_code, r.code), 2)`.execute(database.db);
    assert.deepEqual(orphans.rows, []);
  });

  it('hangs municipal districts directly under the municipality', async () => {
    const { rows } = await sql<{ parent_code: string; name_zh: string }>`
      select parent_code, name_zh from regions where code = '310101'`.execute(database.db);
    assert.deepEqual(rows, [{ parent_code: '310000', name_zh: '黄浦区' }]);
  });
});

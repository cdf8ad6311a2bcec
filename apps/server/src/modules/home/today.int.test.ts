import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chinaMonth } from '../../engine/home-cards.ts';
import { marker, tenantDirectory } from '../../testing/fixtures.ts';
import { type Client, login, newTenant, useTestEnv } from '../../testing/harness.ts';
import { cny, newCustomer, ok, q, sql } from '../sales/test-kit.ts';

const env = useTestEnv();

/** A day in this China-time month (the 15th), so "closing this month" holds whenever the test runs. */
const thisMonthDay = () => `${chinaMonth()}-15`;

async function newLead(c: Client, name: string) {
  return ok(c.post('/records/lead', { name, company: `${name} 有限公司`, channel: 'web_form' }));
}

async function pendingQuote(c: Client, customerId: string, name: string) {
  const quote = await ok(c.post('/records/quote', { name, customerId }));
  await ok(
    c.request('PUT', `/quotes/${quote.id}/lines`, {
      lines: [{ productName: '安装服务', quantity: 1, unitPrice: 100_000, discountPercent: 20 }],
    }),
  );
  const sub = await ok(c.post(`/quotes/${quote.id}/submit`));
  assert.equal(sub.quote.status, 'pending_approval');
  return quote;
}

describe('GET /me/today', () => {
  it('shows a salesperson their own leads, follow-ups, deals, quotes and target; a manager the team; others nothing of sales', async () => {
    const seed = await newTenant(env, 0);
    const other = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const sun = await login(env, seed.slug, 'sun.lei');
    const zhao = await login(env, seed.slug, 'zhao.jing');
    const zhang = await login(env, seed.slug, 'zhang.wei');
    const zhou = await login(env, seed.slug, 'zhou.xiaoyan');

    // Sun's day: two leads (one made overdue), a task due, a deal closing this month, a quote in approval.
    const sunLead = marker('孙线索');
    const late = await newLead(sun, sunLead);
    await newLead(sun, marker('孙线索'));
    await q(
      env,
      seed.tenantId,
      sql`update leads set sla_breached = true, first_response_due_at = greatest(now() - interval '5 minutes',
        date_trunc('day', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai')
        where id = ${late.id}`,
    );
    const task = marker('回访');
    await ok(
      sun.post('/records/activity', {
        type: 'task',
        subject: task,
        status: 'open',
        dueAt: new Date(Date.now() - 3_600_000).toISOString(),
        leadId: late.id,
      }),
    );
    const sunCust = await newCustomer(sun);
    const sunDeal = marker('孙商机');
    await ok(
      sun.post('/records/opportunity', {
        name: sunDeal,
        customerId: sunCust,
        amount: cny(1_200_000),
        expectedCloseDate: thisMonthDay(),
      }),
    );
    const sunQuote = marker('孙报价');
    const quote = await pendingQuote(sun, sunCust, sunQuote);
    const period = chinaMonth();
    await ok(
      admin.post('/records/target', {
        name: `孙磊 ${period}`,
        scopeType: 'user',
        userId: (await tenantDirectory(env, seed)).user('sun.lei').id,
        periodType: 'month',
        period,
        amount: cny(3_000_000),
        count: 3,
      }),
    );

    // Zhao's own deal, which Sun must not see.
    const zhaoDeal = marker('赵商机');
    await ok(
      zhao.post('/records/opportunity', {
        name: zhaoDeal,
        customerId: await newCustomer(zhao),
        amount: cny(500_000),
        expectedCloseDate: thisMonthDay(),
      }),
    );
    const zhaoLead = marker('赵线索');
    await newLead(zhao, zhaoLead);

    // The other tenant has look-alike data that must never show up.
    const foreign = marker('外租户');
    const otherSun = await login(env, other.slug, 'sun.lei');
    await newLead(otherSun, foreign);
    await ok(
      otherSun.post('/records/opportunity', {
        name: foreign,
        customerId: await newCustomer(otherSun),
        amount: cny(1),
        expectedCloseDate: thisMonthDay(),
      }),
    );

    const s = await ok(sun.get('/me/today'));
    assert.equal(s.role, 'sales');
    assert.equal(s.period, period);
    assert.equal(s.leads.open, 2);
    assert.equal(s.leads.breached, 1);
    assert.equal(s.leads.items[0].name, sunLead, 'the breached lead comes first');
    assert.equal(s.leads.items[0].overdue, true);
    assert.equal(s.leads.dueSoon, 1, 'the fresh lead is due within the 30-minute SLA');
    assert.equal(s.followUps.total, 1);
    assert.equal(s.followUps.items[0].subject, task);
    assert.equal(s.followUps.items[0].overdue, true);
    assert.equal(s.followUps.items[0].leadName, sunLead);
    assert.deepEqual(
      s.closingDeals.items.map((o: any) => o.name),
      [sunDeal],
    );
    assert.equal(s.closingDeals.amount, 1_200_000);
    assert.equal(s.closingDeals.items[0].stageLabel['zh-CN'].length > 0, true);
    assert.deepEqual(
      s.pendingQuotes.items.map((x: any) => x.id),
      [quote.id],
    );
    assert.equal(s.target.target.targetAmount.amount, 3_000_000);
    assert.equal(s.target.target.actualAmount, 0);
    assert.equal(s.approvals, undefined, 'a salesperson decides no approvals');
    assert.equal(s.teamSla, undefined);
    assert.equal(s.teamPipeline, undefined);
    const sunText = JSON.stringify(s);
    for (const hidden of [zhaoDeal, zhaoLead, foreign]) assert.ok(!sunText.includes(hidden), hidden);
    assert.ok(Array.isArray(s.notifications.items));

    // The store manager: the quote waiting for him, the team's breach, the team's pipeline.
    const z = await ok(zhang.get('/me/today'));
    assert.equal(z.role, 'manager');
    assert.equal(z.approvals.pending, 1);
    assert.equal(z.approvals.items[0].recordId, quote.id);
    assert.equal(z.approvals.items[0].recordName, sunQuote);
    assert.equal(z.approvals.items[0].requester, '孙磊');
    assert.equal(z.teamSla.breachedToday, 1);
    assert.equal(z.teamSla.items[0].name, sunLead);
    assert.equal(z.teamSla.items[0].ownerName, '孙磊');
    assert.equal(z.teamPipeline.open, 1_700_000, "Sun's and Zhao's deals, not the other tenant's");
    assert.ok(z.notifications.unread >= 1, 'the approval request notified Zhang');
    assert.equal(z.target, undefined, 'team scope: targets live on the targets page');
    assert.ok(!JSON.stringify(z).includes(foreign));

    // A salesperson of another store's branch sees none of it.
    const xu = await ok((await login(env, seed.slug, 'xu.ming')).get('/me/today'));
    assert.equal(xu.leads.open, 0);
    assert.equal(xu.closingDeals.count, 0);
    assert.ok(!JSON.stringify(xu).includes(sunLead));

    // Service: may read leads and deals but works none, decides nothing: only notifications.
    const c = await ok(zhou.get('/me/today'));
    assert.equal(c.role, 'other');
    for (const k of [
      'leads',
      'followUps',
      'closingDeals',
      'pendingQuotes',
      'target',
      'approvals',
      'teamSla',
      'teamPipeline',
    ])
      assert.equal(c[k], undefined, k);
    assert.ok(Array.isArray(c.notifications.items));

    // The other tenant's Sun sees only his tenant's lead.
    const o = await ok(otherSun.get('/me/today'));
    assert.equal(o.leads.open, 1);
    assert.equal(o.leads.items[0].name, foreign);
    assert.ok(!JSON.stringify(o).includes(sunLead));
  });

  it('needs a session', async () => {
    const res = await fetch(`${env.baseUrl}/api/v1/me/today`);
    assert.equal(res.status, 401);
  });
});

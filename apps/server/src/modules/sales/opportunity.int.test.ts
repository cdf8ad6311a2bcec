import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { tenantDirectory } from '../../testing/fixtures.ts';
import { getTestEnv, login, newTenant } from '../../testing/harness.ts';
import { advanceTo, cny, completeSop, newCustomer, newOpportunity, ok, q, sql } from './test-kit.ts';

describe('opportunity stages', () => {
  after(async () => (await getTestEnv()).close());

  it('starts a new opportunity at the first stage of the default pipeline with its probability', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const c = await login(env, seed.slug, 'sun.lei');
    const cust = await newCustomer(c);
    const opp = await newOpportunity(c, cust, 1_000_000);
    assert.equal(opp.stage, 'discovery');
    assert.equal(Number(opp.probability), 10);
    assert.ok(opp.pipelineId);
    const bad = await c.post('/records/opportunity', { name: 'x', customerId: cust, stage: 'won' });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.errors.some((e: any) => e.field === 'stage' && e.code === 'read_only'));
    const patch = await c.patch(`/records/opportunity/${opp.id}`, { version: opp.version, stage: 'won' });
    assert.equal(patch.status, 422);
  });

  it('blocks leaving a stage with required SOP items undone and lists them in the caller language', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const c = await login(env, seed.slug, 'sun.lei');
    const opp = await newOpportunity(c, await newCustomer(c), 500_000);
    const zh = await c.post(`/opportunities/${opp.id}/stage`, { stage: 'solution' });
    assert.equal(zh.status, 422);
    assert.match(zh.body.detail, /需求挖掘/);
    assert.match(zh.body.detail, /确认客户核心需求与痛点/);
    assert.match(zh.body.detail, /识别决策人与决策链/);
    assert.doesNotMatch(zh.body.detail, /预算/, 'optional items are not required');
    assert.deepEqual(zh.body.errors.map((e: any) => e.field).sort(), [
      'sop.discovery.confirm_need',
      'sop.discovery.identify_dm',
    ]);
    c.locale = 'en-US';
    const en = await c.post(`/opportunities/${opp.id}/stage`, { stage: 'solution' });
    assert.match(en.body.detail, /Before leaving “Discovery”.*Confirm the core need/);
    c.locale = 'zh-CN';
    // One item done: the message lists only the other.
    await ok(
      c.post(`/opportunities/${opp.id}/sop`, { stage: 'discovery', item: 'confirm_need', done: true }),
    );
    const one = await c.post(`/opportunities/${opp.id}/stage`, { stage: 'solution' });
    assert.deepEqual(
      one.body.errors.map((e: any) => e.field),
      ['sop.discovery.identify_dm'],
    );
    // Skipping ahead also needs the SOP of every stage jumped over.
    await completeSop(c, opp.id, 'discovery');
    const jump = await c.post(`/opportunities/${opp.id}/stage`, { stage: 'trust' });
    assert.equal(jump.status, 422);
    assert.ok(jump.body.errors.every((e: any) => e.field.startsWith('sop.solution.')));
    const moved = await ok(c.post(`/opportunities/${opp.id}/stage`, { stage: 'solution' }));
    assert.equal(moved.stage, 'solution');
    assert.equal(Number(moved.probability), 30);
    // Moving back needs nothing.
    assert.equal(
      (await ok(c.post(`/opportunities/${opp.id}/stage`, { stage: 'discovery' }))).stage,
      'discovery',
    );
    const sop = await ok(c.get(`/opportunities/${opp.id}/sop`));
    const disc = sop.stages.find((s: any) => s.key === 'discovery');
    assert.equal(disc.items.find((i: any) => i.key === 'confirm_need').done, true);
    assert.equal(disc.items.find((i: any) => i.key === 'confirm_need').doneBy, '孙磊');
  });

  it('requires a lost reason, makes won and lost terminal, and lets only a permitted user reopen', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const c = await login(env, seed.slug, 'sun.lei');
    const opp = await newOpportunity(c, await newCustomer(c), 200_000);
    const noReason = await c.post(`/opportunities/${opp.id}/stage`, { stage: 'lost' });
    assert.equal(noReason.status, 422);
    assert.equal(noReason.body.errors[0].field, 'lostReason');
    const badStage = await c.post(`/opportunities/${opp.id}/stage`, { stage: 'nowhere' });
    assert.equal(badStage.status, 422);
    const lost = await ok(
      c.post(`/opportunities/${opp.id}/stage`, { stage: 'lost', lostReason: 'competitor' }),
    );
    assert.equal(lost.stage, 'lost');
    assert.equal(lost.lostReason, 'competitor');
    assert.ok(lost.closedAt);
    const again = await c.post(`/opportunities/${opp.id}/stage`, { stage: 'discovery' });
    assert.equal(again.status, 409);
    assert.match(again.body.detail, /输单/);
    const same = await c.post(`/opportunities/${opp.id}/stage`, { stage: 'lost', lostReason: 'price' });
    assert.equal(same.status, 409);
    // 经销商店长 holds opportunity:* (which includes reopen).
    const mgr = await login(env, seed.slug, 'zhang.wei');
    const reopened = await ok(mgr.post(`/opportunities/${opp.id}/stage`, { stage: 'discovery' }));
    assert.equal(reopened.stage, 'discovery');
    assert.equal(reopened.closedAt, null);
    assert.equal(reopened.lostReason, null);
  });

  it('writes an audit entry and an opportunity.stage_changed event for every transition', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const c = await login(env, seed.slug, 'sun.lei');
    const opp = await newOpportunity(c, await newCustomer(c), 300_000);
    await advanceTo(c, opp.id, 'won');
    const audits = await q(
      env,
      seed.tenantId,
      sql`select changes from audit_log where tenant_id = ${seed.tenantId}
      and record_id = ${opp.id} and action = 'stage_change' order by id`,
    );
    assert.deepEqual(
      audits.map((a: any) => `${a.changes[0].from}>${a.changes[0].to}`),
      ['discovery>solution', 'solution>trust', 'trust>closing', 'closing>won'],
    );
    const events = await q(
      env,
      seed.tenantId,
      sql`select payload from outbox where tenant_id = ${seed.tenantId}
      and type = 'opportunity.stage_changed' and record_id = ${opp.id} order by id`,
    );
    assert.equal(events.length, 4);
    assert.equal((events[3] as any).payload.kind, 'won');
    const sopAudit = await q(
      env,
      seed.tenantId,
      sql`select count(*)::int as n from audit_log where tenant_id = ${seed.tenantId}
      and record_id = ${opp.id} and action = 'sop_done'`,
    );
    assert.equal((sopAudit[0] as any).n, 8);
  });

  it('shows kanban counts, sums and cards only over opportunities in the caller scope', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const sun = await login(env, seed.slug, 'sun.lei'); // EC-D1-S1
    const ma = await login(env, seed.slug, 'ma.chao'); // EC-D2-S1
    const a = await newOpportunity(sun, await newCustomer(sun), 100_000);
    await newOpportunity(sun, await newCustomer(sun), 250_000);
    const b = await newOpportunity(ma, await newCustomer(ma), 9_900_000);
    await completeSop(sun, a.id, 'discovery');
    await ok(sun.post(`/opportunities/${a.id}/stage`, { stage: 'solution' }));
    const col = (k: any, s: string) => k.columns.find((x: any) => x.stage === s);
    const mine = await ok(sun.get('/opportunities/kanban'));
    assert.equal(col(mine, 'discovery').count, 1);
    assert.equal(col(mine, 'discovery').amount, 250_000);
    assert.equal(col(mine, 'solution').count, 1);
    assert.equal(col(mine, 'solution').weighted, 30_000);
    const dealer1 = await ok((await login(env, seed.slug, 'zhang.wei')).get('/opportunities/kanban'));
    assert.equal(col(dealer1, 'discovery').amount, 250_000, 'EC-D1 never sees EC-D2 pipeline totals');
    assert.ok(!JSON.stringify(dealer1).includes(b.id));
    const dealer2 = await ok((await login(env, seed.slug, 'liu.yang')).get('/opportunities/kanban'));
    assert.equal(col(dealer2, 'discovery').amount, 9_900_000);
    assert.equal(col(dealer2, 'solution').count, 0);
    const hq = await ok((await login(env, seed.slug, 'wang.jianguo')).get('/opportunities/kanban'));
    assert.equal(col(hq, 'discovery').count, 2);
    assert.equal(col(hq, 'discovery').amount, 10_150_000);
    assert.equal(col(hq, 'discovery').cards.length, 2);
    const d = await tenantDirectory(env, seed);
    const narrowed = await ok(
      (await login(env, seed.slug, 'wang.jianguo')).get(`/opportunities/kanban?unit=${d.unit('EC-D2')}`),
    );
    assert.equal(col(narrowed, 'discovery').amount, 9_900_000);
    // Totals follow deletes, restores and reassignment (trigger-maintained, migration 0022).
    const zhangW = await login(env, seed.slug, 'zhang.wei');
    await ok(zhangW.del(`/records/opportunity/${a.id}`));
    assert.equal(col(await ok(sun.get('/opportunities/kanban')), 'solution').count, 0);
    await ok(zhangW.post(`/records/opportunity/${a.id}/restore`));
    assert.equal(col(await ok(sun.get('/opportunities/kanban')), 'solution').weighted, 30_000);
    const searched = await ok(sun.get('/opportunities/kanban?q=zzz-nothing'));
    assert.equal(col(searched, 'discovery').count, 0);
    // The generic list agrees with the kanban.
    const list = await ok(sun.get('/records/opportunity?count=true'));
    assert.equal(list.total, 2);
    // Someone else's opportunity is 404 on every sales route.
    assert.equal(
      (await sun.post(`/opportunities/${b.id}/stage`, { stage: 'lost', lostReason: 'price' })).status,
      404,
    );
    assert.equal((await sun.get(`/opportunities/${b.id}/sop`)).status, 404);
  });

  it('searches the kanban by a masked opportunity name only in full', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const sun = await login(env, seed.slug, 'sun.lei');
    const opp = await newOpportunity(sun, await newCustomer(sun), 100_000);
    const role = (await ok(admin.get('/admin/roles'))).items.find((r: any) => r.name === '销售顾问');
    await ok(
      admin.patch(`/admin/roles/${role.id}`, {
        fieldAccess: {
          ...role.fieldAccess,
          opportunity: { ...role.fieldAccess?.opportunity, name: 'masked' },
        },
      }),
    );
    const seller = await login(env, seed.slug, 'sun.lei');
    const found = async (term: string) => {
      const k = await ok(seller.get(`/opportunities/kanban?q=${encodeURIComponent(term)}`));
      return {
        cards: k.columns.flatMap((c: any) => c.cards.map((x: any) => x.id)),
        count: k.columns.reduce((n: number, c: any) => n + c.count, 0),
      };
    };
    assert.deepEqual(await found(opp.name), { cards: [opp.id], count: 1 }, 'the whole name finds it');
    for (const part of [opp.name.slice(0, -1), opp.name.slice(1)])
      assert.deepEqual(await found(part), { cards: [], count: 0 }, `a part of a masked name (${part})`);
  });

  it('gives no kanban sums to a caller who sees amounts masked (a sum would read them back)', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const sun = await login(env, seed.slug, 'sun.lei');
    await newOpportunity(sun, await newCustomer(sun), 100_000);
    const sums = (k: any) => k.columns.flatMap((c: any) => [c.amount, c.weighted]);
    assert.ok(
      sums(await ok(sun.get('/opportunities/kanban'))).some((v: unknown) => typeof v === 'number' && v > 0),
    );
    const role = (await ok(admin.get('/admin/roles'))).items.find((r: any) => r.name === '销售顾问');
    await ok(
      admin.patch(`/admin/roles/${role.id}`, {
        fieldAccess: {
          ...role.fieldAccess,
          opportunity: { ...role.fieldAccess?.opportunity, amount: 'masked' },
        },
      }),
    );
    const seller = await login(env, seed.slug, 'sun.lei');
    for (const path of ['/opportunities/kanban', '/opportunities/kanban?q=a']) {
      const k = await ok(seller.get(path));
      assert.ok(
        sums(k).every((v: unknown) => v === null),
        `${path}: every column's sums are hidden`,
      );
      for (const card of k.columns.flatMap((c: any) => c.cards)) assert.equal(typeof card.amount, 'string');
    }
  });

  it('lets a configured pipeline define its own stages and SOP, offered as stage options', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const hq = await login(env, seed.slug, 'wang.jianguo');
    const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });
    const p = await ok(
      hq.post('/pipelines', {
        name: label('渠道项目', 'Channel deals'),
        stages: [
          {
            key: 'qualify',
            label: label('资格确认', 'Qualify'),
            probability: 20,
            kind: 'open',
            sop: [{ key: 'visit', type: 'action', label: label('上门拜访', 'Visit'), required: true }],
          },
          { key: 'negotiate', label: label('商务谈判', 'Negotiate'), probability: 70, kind: 'open', sop: [] },
          { key: 'won', label: label('赢单', 'Won'), probability: 100, kind: 'won', sop: [] },
          { key: 'lost', label: label('输单', 'Lost'), probability: 0, kind: 'lost', sop: [] },
        ],
      }),
    );
    const listed = (await ok(hq.get('/pipelines'))).items;
    assert.deepEqual(
      listed.map((x: any) => [x.isDefault, x.id === p.id]),
      [
        [true, false],
        [false, true],
      ],
      'the default pipeline first, then the new one',
    );
    const meta = await ok(hq.get('/meta/objects/opportunity'));
    const options = meta.fields.find((f: any) => f.apiName === 'stage').options.map((o: any) => o.value);
    assert.ok(options.includes('qualify') && options.includes('discovery'));
    const sun = await login(env, seed.slug, 'sun.lei');
    const cust = await newCustomer(sun);
    const denied = await sun.post('/pipelines', { name: label('x', 'x'), stages: [] });
    assert.equal(denied.status, 403);
    const admin = await login(env, seed.slug, 'admin');
    const opp = await ok(
      admin.post('/records/opportunity', { name: 'P', customerId: cust, pipelineId: p.id, amount: cny(1) }),
    );
    assert.equal(opp.stage, 'qualify');
    assert.equal(Number(opp.probability), 20);
    assert.equal((await admin.post(`/opportunities/${opp.id}/stage`, { stage: 'negotiate' })).status, 422);
    const bad = await hq.patch(`/pipelines/${p.id}`, {
      version: p.version,
      stages: p.stages.filter((s: any) => s.key !== 'qualify'),
    });
    assert.equal(bad.status, 422, 'a stage holding opportunities cannot be removed');
    const k = await ok(hq.get(`/opportunities/kanban?pipeline=${p.id}`));
    assert.deepEqual(
      k.columns.map((c: any) => c.stage),
      ['qualify', 'negotiate', 'won', 'lost'],
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { login, newTenant, useTestEnv } from '../../testing/harness.ts';

const env = useTestEnv();

async function tenant() {
  const seed = await newTenant(env, 5);
  const as = (who: string) => login(env, seed.slug, who);
  return { seed, hq: await as('wang.jianguo'), as };
}

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
};

describe('话术库 scopes', () => {
  it('HQ publishes down the tree; a dealer adds its own and cannot change HQ’s; personal stays with its author', async () => {
    const { hq, as } = await tenant();
    const company = await ok(
      hq.post('/scripts', {
        title: '异议处理-价格',
        body: '理解您觉得价格有点高，我帮您算一下用车成本。',
        scope: 'company',
      }),
      201,
    );
    const zhang = await as('zhang.wei');
    const sun = await as('sun.lei');
    const huang = await as('wu.haitao');
    // The dealer and a salesperson under it both see HQ's script.
    assert.equal((await ok(sun.get(`/scripts/${company.id}`))).canEdit, false);
    const seen = await ok(zhang.get(`/scripts/${company.id}`));
    assert.equal(seen.canEdit, false);
    assert.equal((await zhang.patch(`/scripts/${company.id}`, { title: '改掉' })).status, 403);
    assert.equal((await zhang.del(`/scripts/${company.id}`)).status, 403);

    const dealerOwn = await ok(
      zhang.post('/scripts', { title: '浦东店停车', body: '到店停 B2 免费两小时', scope: 'company' }),
      201,
    );
    assert.equal(dealerOwn.canEdit, true);
    assert.equal((await ok(sun.get(`/scripts/${dealerOwn.id}`))).title, '浦东店停车');
    // Another dealer's salesperson or manager never sees it.
    assert.equal((await huang.get(`/scripts/${dealerOwn.id}`)).status, 404);
    assert.equal((await (await as('guo.min')).get(`/scripts/${dealerOwn.id}`)).status, 404);
    // HQ manages everything below it.
    assert.equal((await ok(hq.patch(`/scripts/${dealerOwn.id}`, { enabled: false }))).enabled, false);

    // A dealer cannot publish above itself; a salesperson cannot publish company scripts.
    const hqUnit = seen.unitId;
    const above = await zhang.post('/scripts', { title: 'x', body: 'y', scope: 'company', unitId: hqUnit });
    assert.equal(above.status, 422);
    assert.equal(above.body.errors[0].field, 'unitId');
    assert.equal((await sun.post('/scripts', { title: 'x', body: 'y', scope: 'team' })).status, 422);

    const mine = await ok(
      sun.post('/scripts', { title: '我的开场白', body: '您好我是孙磊', scope: 'personal' }),
      201,
    );
    assert.equal(mine.canEdit, true);
    assert.equal((await (await as('zhao.jing')).get(`/scripts/${mine.id}`)).status, 404);
    assert.equal((await zhang.get(`/scripts/${mine.id}`)).status, 404);
    assert.ok(!(await ok(hq.get('/scripts'))).items.some((s: any) => s.id === mine.id));

    // Another tenant sees nothing of it.
    const other = await tenant();
    assert.equal((await other.hq.get(`/scripts/${company.id}`)).status, 404);
    assert.equal((await other.hq.post(`/scripts/${company.id}/uses`, {})).status, 404);
    assert.equal((await other.hq.patch(`/scripts/${company.id}`, { title: 'x' })).status, 404);
    assert.equal((await ok(other.hq.get('/scripts?q=价格'))).items.length, 0);
  });

  it('keeps a team script inside its unit', async () => {
    const { as } = await tenant();
    const zhang = await as('zhang.wei');
    const team = await ok(
      zhang.post('/scripts', { title: '店长例会', body: '本周重点客户跟进', scope: 'team' }),
      201,
    );
    assert.equal((await (await as('sun.lei')).get(`/scripts/${team.id}`)).status, 404);
    assert.equal((await (await as('liu.yang')).get(`/scripts/${team.id}`)).status, 404);
    // The region above manages it.
    assert.equal((await ok((await as('chen.zhiqiang')).get(`/scripts/${team.id}`))).canEdit, true);
  });

  it('counts uses in total and per staff member', async () => {
    const { hq, as } = await tenant();
    const s = await ok(
      hq.post('/scripts', { title: '首保提醒', body: '首保免费，帮您预约', scope: 'company' }),
      201,
    );
    const sun = await as('sun.lei');
    await ok(sun.post(`/scripts/${s.id}/uses`, {}));
    const u = await ok(sun.post(`/scripts/${s.id}/uses`, {}));
    assert.equal(u.useCount, 2);
    assert.equal(u.myUseCount, 2);
    assert.deepEqual(
      u.perStaff.map((x: any) => x.uses),
      [2],
    );
    const forHq = await ok(hq.get(`/scripts/${s.id}/usage`));
    assert.equal(forHq.perStaff[0].name, '孙磊');
    assert.equal((await ok(hq.get(`/scripts/${s.id}`))).useCount, 2);
  });
});

describe('话术库 search and suggestions', () => {
  it('finds scripts by Chinese keywords, ranked, and suggests replies by similarity', async () => {
    const { hq, as } = await tenant();
    const cat = await ok(hq.post('/script-categories', { name: '异议处理' }), 201);
    const price = await ok(hq.post('/script-categories', { name: '价格', parentId: cat.id }), 201);
    const deep = await hq.post('/script-categories', { name: '三级', parentId: price.id });
    assert.equal(deep.status, 422);
    const priceScript = await ok(
      hq.post('/scripts', {
        title: '异议处理-价格',
        body: '理解您觉得价格有点贵。这款车保值率高，五年免费保养，算下来用车成本更低。',
        scope: 'company',
        categoryId: price.id,
      }),
      201,
    );
    await ok(
      hq.post('/scripts', {
        title: '邀约试驾',
        body: '周末有试驾专场，欢迎带家人来体验。',
        scope: 'company',
      }),
      201,
    );
    await ok(
      hq.post('/scripts', { title: '交车回访', body: '新车开得怎么样？有问题随时找我。', scope: 'company' }),
      201,
    );

    const sun = await as('sun.lei');
    sun.locale = 'zh-CN';
    const found = await ok(sun.get(`/scripts?q=${encodeURIComponent('价格太贵')}`));
    assert.equal(found.items[0].id, priceScript.id);
    assert.ok(found.items[0].score > 0);
    assert.equal((await ok(sun.get(`/scripts?q=${encodeURIComponent('试驾')}`))).items[0].title, '邀约试驾');
    assert.equal((await ok(sun.get(`/scripts?q=${encodeURIComponent('装修设计')}`))).items.length, 0);
    // The category filter includes the sub-categories of a first-level one.
    assert.equal((await ok(sun.get(`/scripts?categoryId=${cat.id}`))).items.length, 1);
    const tree = await ok(sun.get('/script-categories'));
    assert.equal(tree.items.find((c: any) => c.id === cat.id).count, 1);

    const suggested = await ok(sun.post('/scripts/suggest', { text: '你们这个车价格太贵了，别家便宜好多' }));
    assert.ok(suggested.items.length >= 1 && suggested.items.length <= 3);
    assert.equal(suggested.items[0].id, priceScript.id);
    assert.equal((await ok(sun.post('/scripts/suggest', { text: '的了吗' }))).items.length, 0);
  });

  it('answers bad input with localised field errors and stores nothing', async () => {
    const { hq } = await tenant();
    hq.locale = 'en-US';
    const r = await hq.post('/scripts', { title: '', body: 'x', scope: 'everyone' });
    assert.equal(r.status, 422);
    assert.deepEqual(r.body.errors.map((e: any) => e.field).sort(), ['scope', 'title']);
    hq.locale = 'zh-CN';
    const c = await hq.post('/scripts', {
      title: 't',
      body: 'b',
      scope: 'company',
      categoryId: crypto.randomUUID(),
    });
    assert.equal(c.status, 422);
    assert.match(c.body.errors[0].message, /分类不存在/);
    assert.equal((await hq.post('/scripts/suggest', { text: '' })).status, 422);
    assert.equal((await hq.get('/scripts/recommended?customerId=nope')).status, 422);
    assert.equal((await ok(hq.get('/scripts'))).items.length, 0);
  });
});

describe('话术库 recommendations', () => {
  it('puts scripts for the customer’s open stage first, as the caller sees the customer', async () => {
    const { hq, as } = await tenant();
    const opening = await ok(
      hq.post('/scripts', {
        title: '首次添加',
        body: '您好，我把配置单发您',
        scope: 'company',
        stages: ['discovery'],
      }),
      201,
    );
    const popular = await ok(
      hq.post('/scripts', { title: '春节问候', body: '新春快乐', scope: 'company' }),
      201,
    );
    const sun = await as('sun.lei');
    for (let i = 0; i < 3; i++) await ok(sun.post(`/scripts/${popular.id}/uses`, {}));
    const customer = await ok(sun.post('/records/customer', { name: '推荐测试客户' }), 201);
    const opp = await ok(
      sun.post('/records/opportunity', { name: '推荐测试商机', customerId: customer.id }),
      201,
    );
    const byCustomer = await ok(sun.get(`/scripts/recommended?customerId=${customer.id}`));
    assert.equal(byCustomer.items[0].id, opening.id);
    assert.deepEqual(byCustomer.items[0].reasons, ['stage:discovery']);
    assert.equal(byCustomer.items[1].id, popular.id);
    assert.deepEqual(byCustomer.items[1].reasons, ['popular']);
    assert.equal((await ok(sun.get(`/scripts/recommended?opportunityId=${opp.id}`))).items[0].id, opening.id);
    // Without anything known, the most used come first.
    assert.equal((await ok(sun.get('/scripts/recommended'))).items[0].id, popular.id);
    // Another salesperson cannot see sun's customer: 404, not a recommendation about it.
    assert.equal(
      (await (await as('zhao.jing')).get(`/scripts/recommended?customerId=${customer.id}`)).status,
      404,
    );
    const other = await tenant();
    assert.equal((await other.hq.get(`/scripts/recommended?opportunityId=${opp.id}`)).status, 404);
    assert.equal((await hq.get(`/scripts/recommended?profileId=${crypto.randomUUID()}`)).status, 404);
  });
});

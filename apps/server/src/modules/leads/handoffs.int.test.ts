import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { isStandardObject } from '../../engine/records/standard-objects.ts';
import { tenantDirectory, uniqueMobile } from '../../testing/fixtures.ts';
import { getTestEnv, login, newTenant } from '../../testing/harness.ts';

after(async () => (await getTestEnv()).close());

const call = (c: any, leadId: string, outcome?: string) =>
  c.post('/records/activity', { type: 'call', subject: '电话跟进', leadId, ...(outcome ? { outcome } : {}) });

describe('lead → opportunity hand-off', () => {
  it('names the opportunity "<company> · <product>" and carries the budget into its amount', async (t) => {
    const env = await getTestEnv();
    if (!isStandardObject('opportunity')) return t.skip('sales module not loaded');
    const seed = await newTenant(env, 2);
    const c = await login(env, seed.slug, 'sun.lei');
    const l = await c.post('/records/lead', {
      name: '钱总',
      company: '苏州新材料有限公司',
      product: '智能仓储系统',
      phone: uniqueMobile(),
      budget: { amount: 38_000_000, currency: 'CNY' },
    });
    assert.equal(l.status, 201, JSON.stringify(l.body));
    const conv = await c.post(`/leads/${l.body.id}/convert`, { opportunity: {} });
    assert.equal(conv.status, 200, JSON.stringify(conv.body));
    const opp = (await c.get(`/records/opportunity/${conv.body.opportunityId}`)).body;
    assert.equal(opp.name, '苏州新材料有限公司 · 智能仓储系统');
    assert.deepEqual(opp.amount, { amount: 38_000_000, currency: 'CNY' });
    assert.equal(opp.leadId, l.body.id);
  });

  it('keeps a name and an amount the person converting gives, and falls back to 新商机 without a product', async (t) => {
    const env = await getTestEnv();
    if (!isStandardObject('opportunity')) return t.skip('sales module not loaded');
    const seed = await newTenant(env, 2);
    const c = await login(env, seed.slug, 'sun.lei');
    const a = await c.post('/records/lead', { name: '周', company: '无锡精工', phone: uniqueMobile() });
    const conv = await c.post(`/leads/${a.body.id}/convert`, { opportunity: {} });
    const opp = (await c.get(`/records/opportunity/${conv.body.opportunityId}`)).body;
    assert.equal(opp.name, '无锡精工 · 新商机');
    assert.equal(opp.amount, null, 'no budget, no amount');
    const b = await c.post('/records/lead', {
      name: '吴',
      company: '常州电机',
      phone: uniqueMobile(),
      budget: { amount: 10_000_000, currency: 'CNY' },
    });
    const named = await c.post(`/leads/${b.body.id}/convert`, {
      opportunity: { name: '常州电机 二期', amount: { amount: 12_000_000, currency: 'CNY' } },
    });
    const opp2 = (await c.get(`/records/opportunity/${named.body.opportunityId}`)).body;
    assert.equal(opp2.name, '常州电机 二期');
    assert.equal(opp2.amount.amount, 12_000_000);
    const bad = await c.post(`/leads/${b.body.id}/convert`, { opportunity: { name: '' } });
    assert.equal(bad.status, 422);
    assert.ok(bad.body.errors.some((e: any) => e.field.startsWith('opportunity')));
  });

  it('names and prices the opportunity only from lead fields the person converting may read', async (t) => {
    const env = await getTestEnv();
    if (!isStandardObject('opportunity')) return t.skip('sales module not loaded');
    const seed = await newTenant(env, 2);
    const admin = await login(env, seed.slug, 'admin');
    const role = (await admin.get('/admin/roles')).body.items.find((r: any) => r.name === '销售顾问');
    const patched = await admin.patch(`/admin/roles/${role.id}`, {
      fieldAccess: {
        ...role.fieldAccess,
        lead: { ...role.fieldAccess?.lead, product: 'hidden', budget: 'hidden' },
      },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    const c = await login(env, seed.slug, 'sun.lei');
    const l = await admin.post('/records/lead', {
      name: '钱总',
      company: '苏州新材料有限公司',
      product: '机密项目代号青龙',
      phone: uniqueMobile(),
      budget: { amount: 38_000_000, currency: 'CNY' },
      ownerId: (await tenantDirectory(env, seed)).user('sun.lei').id,
    });
    assert.equal(l.status, 201, JSON.stringify(l.body));
    const conv = await c.post(`/leads/${l.body.id}/convert`, { opportunity: {} });
    assert.equal(conv.status, 200, JSON.stringify(conv.body));
    const opp = (await c.get(`/records/opportunity/${conv.body.opportunityId}`)).body;
    assert.ok(
      !JSON.stringify(opp).includes('青龙'),
      `a hidden product is not spelled out in the name: ${opp.name}`,
    );
    assert.equal(opp.name, '苏州新材料有限公司 · 新商机');
    assert.equal(opp.amount, null, 'a hidden budget does not travel');
  });
});

describe('call outcomes', () => {
  it('stops the first-response clock only on a connected call; no answer, refused and invalid numbers leave it running', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 2);
    const c = await login(env, seed.slug, 'sun.lei');
    const l = await c.post('/records/lead', { name: '郑', company: '杭州云帆', phone: uniqueMobile() });
    for (const o of ['no_answer', 'refused', 'invalid_number']) {
      const r = await call(c, l.body.id, o);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const lead = (await c.get(`/records/lead/${l.body.id}`)).body;
      assert.equal(lead.firstRespondedAt, null, `${o} is not a response`);
      assert.equal(lead.status, 'new');
      assert.ok(lead.lastActivityAt, `${o} still counts as a follow-up attempt`);
    }
    const ok = await call(c, l.body.id, 'connected');
    assert.equal(ok.status, 201);
    const lead = (await c.get(`/records/lead/${l.body.id}`)).body;
    assert.ok(lead.firstRespondedAt, 'a connected call is the first response');
    assert.equal(lead.status, 'contacted');
    const inbox = (await c.get('/leads/inbox')).body;
    assert.ok(JSON.stringify(inbox).includes(l.body.id));
  });

  it('lowers the score sharply after an invalid number and says why; a later connected call lifts it', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 2);
    const c = await login(env, seed.slug, 'sun.lei');
    const l = await c.post('/records/lead', {
      name: '冯',
      company: '宁波海运',
      phone: uniqueMobile(),
      need: 'urgent',
      budget: { amount: 50_000_000, currency: 'CNY' },
      companySize: 'large',
    });
    const before = l.body.score as number;
    assert.ok(before > 50, `a good lead scores high (${before})`);
    await call(c, l.body.id, 'invalid_number');
    const bad = (await c.get(`/records/lead/${l.body.id}`)).body;
    assert.ok(bad.score <= before - 45, `score ${before} → ${bad.score}`);
    assert.equal(bad.scoreReasons[0].key, 'call_invalid_number');
    assert.equal(bad.scoreReasons[0].label['zh-CN'], '最近一次通话为空号');
    assert.ok(bad.scoreReasons[0].impact < 0);
    // Editing a field re-scores with the call history, so the penalty stays.
    const edited = await c.patch(`/records/lead/${l.body.id}`, {
      version: bad.version,
      companySize: 'enterprise',
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.equal(edited.body.scoreReasons[0].key, 'call_invalid_number');
    await call(c, l.body.id, 'connected');
    const good = (await c.get(`/records/lead/${l.body.id}`)).body;
    assert.ok(good.score > bad.score + 40, `connected lifts ${bad.score} → ${good.score}`);
    assert.ok(!good.scoreReasons.some((r: any) => r.key === 'call_invalid_number'));
  });

  it('counts refused and unanswered calls against the score, at most 20 points', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 2);
    const c = await login(env, seed.slug, 'sun.lei');
    const l = await c.post('/records/lead', {
      name: '褚',
      company: '合肥光电',
      phone: uniqueMobile(),
      need: 'clear',
    });
    await call(c, l.body.id, 'connected');
    const base = (await c.get(`/records/lead/${l.body.id}`)).body.score as number;
    await call(c, l.body.id, 'refused');
    const one = (await c.get(`/records/lead/${l.body.id}`)).body;
    // The refused call is also one more activity (engagement): the net drop is under 10.
    assert.ok(one.score < base, `${base} → ${one.score}`);
    assert.equal(one.scoreReasons[0].key, 'call_unreachable');
    assert.equal(one.scoreReasons[0].impact, -10);
    for (let i = 0; i < 4; i++) await call(c, l.body.id, i % 2 ? 'refused' : 'no_answer');
    const many = (await c.get(`/records/lead/${l.body.id}`)).body;
    assert.equal(many.scoreReasons[0].impact, -20);
  });

  it('refuses an outcome on anything but a call, and an unknown outcome (422 with the field)', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 2);
    const c = await login(env, seed.slug, 'sun.lei');
    const l = await c.post('/records/lead', { name: '卫', phone: uniqueMobile() });
    const visit = await c.post('/records/activity', {
      type: 'visit',
      subject: '拜访',
      leadId: l.body.id,
      outcome: 'connected',
    });
    assert.equal(visit.status, 422);
    assert.ok(visit.body.errors.some((e: any) => e.field === 'outcome'));
    const unknown = await call(c, l.body.id, 'voicemail');
    assert.equal(unknown.status, 422);
    assert.ok(unknown.body.errors.some((e: any) => e.field === 'outcome'));
  });
});

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { getTestEnv, loginAsRole, newTenant } from '../../testing/harness.ts';

describe('opportunity object', () => {
  after(async () => (await getTestEnv()).close());

  it('starts a new opportunity at the first stage of the default pipeline with its probability', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 3);
    const c = await loginAsRole(env, seed, '总部销售经理');
    const cust = (await c.get('/records/customer?limit=1')).body.items[0];
    const res = await c.post('/records/opportunity', {
      name: '年度采购',
      customerId: cust.id,
      amount: { amount: 1_000_000, currency: 'CNY' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.stage, 'discovery');
    assert.equal(Number(res.body.probability), 10);
    assert.ok(res.body.pipelineId);
    const bad = await c.post('/records/opportunity', { name: 'x', customerId: cust.id, stage: 'won' });
    assert.equal(bad.status, 422);
  });
});

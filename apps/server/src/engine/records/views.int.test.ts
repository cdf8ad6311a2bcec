import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getTestEnv, loginAsRole, newTenant, type TestEnv } from '../../testing/harness.ts';

describe('saved views', () => {
  let env: TestEnv;
  before(async () => {
    env = await getTestEnv();
  });
  after(() => env.close());

  it('keeps a view private until shared, changes only what a patch names, and lets only its owner delete it', async () => {
    const seed = await newTenant(env, 0);
    const owner = await loginAsRole(env, seed, '销售顾问', 0);
    const other = await loginAsRole(env, seed, '销售顾问', 1);
    const filter = { and: [{ field: 'level', op: 'eq', value: 'A' }] };
    const made = await owner.post('/views', {
      object: 'customer',
      name: 'A 类客户',
      filter,
      columns: ['name'],
    });
    assert.equal(made.status, 201);
    assert.deepEqual(made.body.filter, filter);
    assert.equal(made.body.sort, null);
    assert.equal(made.body.shared, false);
    assert.equal((await other.get('/views?object=customer')).body.items.length, 0);

    const shared = await owner.patch(`/views/${made.body.id}`, { shared: true, sort: '-createdAt' });
    assert.equal(shared.status, 200);
    assert.deepEqual(shared.body.filter, filter, 'the filter stays');
    assert.deepEqual(shared.body.columns, ['name']);
    const seen = (await other.get('/views?object=customer')).body.items;
    assert.deepEqual(
      seen.map((v: { id: string }) => v.id),
      [made.body.id],
    );

    const bare = await other.post('/views', { object: 'customer', name: '全部' });
    assert.equal(bare.body.filter, null);
    assert.equal(bare.body.columns, null);
    assert.equal((await other.del(`/views/${made.body.id}`)).status, 404);
    assert.equal((await owner.del(`/views/${made.body.id}`)).status, 204);
  });
});

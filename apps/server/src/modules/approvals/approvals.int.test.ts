import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { getTestEnv, login, newTenant } from '../../testing/harness.ts';
import { cny, newCustomer, ok } from '../sales/test-kit.ts';

after(async () => (await getTestEnv()).close());

/** A quote at 20 % discount: the default flow sends it to the dealer manager (张伟) alone. */
async function quoteInApproval() {
  const env = await getTestEnv();
  const seed = await newTenant(env, 0);
  const admin = await login(env, seed.slug, 'admin');
  const product = await ok(
    admin.post('/records/product', {
      name: '智能门锁 X1',
      code: `X1-${Date.now()}`,
      listPrice: cny(100_000),
      taxRate: 13,
    }),
  );
  const sun = await login(env, seed.slug, 'sun.lei');
  const quote = await ok(
    sun.post('/records/quote', { name: '撤回测试', customerId: await newCustomer(sun) }),
  );
  await ok(
    sun.request('PUT', `/quotes/${quote.id}/lines`, {
      lines: [{ productId: product.id, quantity: 1, discountPercent: 20 }],
    }),
  );
  const sub = await ok(sun.post(`/quotes/${quote.id}/submit`));
  assert.equal(sub.approval.status, 'pending');
  const zhang = await login(env, seed.slug, 'zhang.wei');
  return { env, seed, admin, sun, zhang, quote, approval: sub.approval };
}

describe('approval requests', () => {
  it('lets the requester withdraw a pending request and nobody else; the record is editable again', async () => {
    const { sun, zhang, quote, approval } = await quoteInApproval();
    const byApprover = await zhang.post(`/approvals/${approval.id}/withdraw`, {});
    assert.equal(byApprover.status, 403, JSON.stringify(byApprover.body));
    assert.equal((await ok(zhang.get('/approvals?box=pending'))).counts.pending, 1);

    const withdrawn = await ok(sun.post(`/approvals/${approval.id}/withdraw`, { comment: '改价后再提' }));
    assert.equal(withdrawn.status, 'withdrawn');
    assert.equal(withdrawn.canAct, false);
    assert.ok(withdrawn.decidedAt);
    assert.deepEqual(
      withdrawn.history.map((h: any) => [h.action, h.comment]),
      [
        ['submit', null],
        ['withdraw', '改价后再提'],
      ],
    );
    assert.equal((await ok(zhang.get('/approvals?box=pending'))).counts.pending, 0);
    assert.equal((await ok(sun.get(`/approvals/${approval.id}`))).status, 'withdrawn');
    assert.equal((await ok(sun.get(`/records/quote/${quote.id}`))).status, 'draft');
    assert.equal((await sun.post(`/approvals/${approval.id}/withdraw`, {})).status, 409);
  });
});

describe('approval flows', () => {
  it('adds a flow and changes it only from the version it was read at', async () => {
    const { admin } = await quoteInApproval();
    const defaults = await ok(admin.get('/approval-flows'));
    assert.ok(defaults.items.some((f: any) => f.object === 'quote'));
    const name = { 'zh-CN': '大单审批', 'en-US': 'Large deals' };
    const created = await admin.post('/approval-flows', {
      object: 'quote',
      name,
      condition: { field: 'total', op: 'gt', value: 10_000_000 },
      steps: [{ name: { 'zh-CN': '总部审批', 'en-US': 'HQ' }, approverType: 'role', role: '总部销售经理' }],
      priority: 50,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual([created.body.version, created.body.isActive], [1, true]);

    const changed = await ok(
      admin.patch(`/approval-flows/${created.body.id}`, {
        ...created.body,
        isActive: false,
        version: created.body.version,
      }),
    );
    assert.deepEqual([changed.version, changed.isActive], [2, false]);
    const stale = await admin.patch(`/approval-flows/${created.body.id}`, {
      ...created.body,
      version: created.body.version,
    });
    assert.equal(stale.status, 409);
    const listed = (await ok(admin.get('/approval-flows'))).items.find((f: any) => f.id === created.body.id);
    assert.deepEqual([listed.name, listed.isActive, listed.priority], [name, false, 50]);
  });
});

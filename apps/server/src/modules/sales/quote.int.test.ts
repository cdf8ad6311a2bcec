import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { drainBackground, getTestEnv, login, newTenant } from '../../testing/harness.ts';
import { cny, newCustomer, newOpportunity, ok, q, sql } from './test-kit.ts';

async function catalogue(admin: Awaited<ReturnType<typeof login>>) {
  const product = await ok(
    admin.post('/records/product', {
      name: '智能门锁 X1',
      code: `X1-${Date.now()}`,
      listPrice: cny(100_000),
      taxRate: 13,
    }),
  );
  await ok(
    admin.post('/records/price_list', {
      name: '2026 经销价',
      productId: product.id,
      currency: 'CNY',
      tiers: [
        { minQty: 100, unitPrice: 80_000 },
        { minQty: 1, unitPrice: 95_000 },
        { minQty: 10, unitPrice: 90_000 },
      ],
    }),
  );
  return product;
}

after(async () => (await getTestEnv()).close());

describe('quotes', () => {
  it('prices lines from tiers and computes totals with half-up rounding per line in fen', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const product = await catalogue(admin);
    const sun = await login(env, seed.slug, 'sun.lei');
    const quote = await ok(sun.post('/records/quote', { name: 'Q1', customerId: await newCustomer(sun) }));
    assert.equal(quote.status, 'draft');
    const res = await ok(
      sun.request('PUT', `/quotes/${quote.id}/lines`, {
        lines: [
          { productId: product.id, quantity: 12, discountPercent: 5 },
          { productName: '安装服务', quantity: 1.5, unitPrice: 3_333, discountPercent: 12.5, taxRate: 6 },
        ],
      }),
    );
    const [l1, l2] = res.lines;
    // 12 × ¥900.00 (tier ≥ 10) = 1 080 000; 5 % = 54 000; net 1 026 000; 13 % tax = 133 380.
    assert.deepEqual(
      [l1.unitPrice, l1.gross, l1.discount, l1.net, l1.tax, l1.total],
      [90_000, 1_080_000, 54_000, 1_026_000, 133_380, 1_159_380],
    );
    // 1.5 × 3 333 = 4 999.5 → 5 000; 12.5 % = 625; net 4 375; 6 % = 262.5 → 263.
    assert.deepEqual([l2.gross, l2.discount, l2.net, l2.tax, l2.total], [5_000, 625, 4_375, 263, 4_638]);
    const t = res.quote;
    assert.deepEqual(t.subtotal, cny(1_085_000));
    assert.deepEqual(t.discountTotal, cny(54_625));
    assert.deepEqual(t.taxTotal, cny(133_643));
    assert.deepEqual(t.total, cny(1_164_018));
    assert.equal(t.subtotal.amount - t.discountTotal.amount + t.taxTotal.amount, t.total.amount);
    assert.equal(res.approval.required, false);
    const stored = await ok(sun.get(`/quotes/${quote.id}/lines`));
    assert.deepEqual(stored.lines, res.lines, 'the saved lines read back as priced');
    assert.ok(stored.lines.every((l: any) => typeof l.id === 'string'));
    // Totals are the server's: the generic API refuses them.
    const tamper = await sun.patch(`/records/quote/${quote.id}`, { version: t.version, total: cny(1) });
    assert.equal(tamper.status, 422);
    // Live preview (nothing stored) agrees, and flags approval above 15 %.
    const preview = await ok(
      sun.post('/quotes/calculate', {
        currency: 'CNY',
        lines: [{ productId: product.id, quantity: 1, discountPercent: 16 }],
      }),
    );
    assert.equal(preview.lines[0].unitPrice, 95_000);
    assert.equal(preview.totals.discountPercent, 16);
    assert.equal(preview.approval.required, true);
    const missing = await sun.post('/quotes/calculate', { lines: [{ productName: 'x', quantity: 1 }] });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.errors[0].field, 'lines[0].unitPrice');
  });

  it('approves a small discount at once and sends a large one through two approval steps', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const product = await catalogue(admin);
    const sun = await login(env, seed.slug, 'sun.lei');
    const cust = await newCustomer(sun);
    const small = await ok(sun.post('/records/quote', { name: 'small', customerId: cust }));
    await ok(
      sun.request('PUT', `/quotes/${small.id}/lines`, {
        lines: [{ productId: product.id, quantity: 1, discountPercent: 10 }],
      }),
    );
    const s = await ok(sun.post(`/quotes/${small.id}/submit`));
    assert.equal(s.quote.status, 'approved');
    assert.equal(s.approval, null);

    const big = await ok(sun.post('/records/quote', { name: 'big', customerId: cust }));
    await ok(
      sun.request('PUT', `/quotes/${big.id}/lines`, {
        lines: [{ productId: product.id, quantity: 1, discountPercent: 30 }],
      }),
    );
    const sub = await ok(sun.post(`/quotes/${big.id}/submit`));
    assert.equal(sub.quote.status, 'pending_approval');
    assert.equal(sub.approval.steps.length, 2, 'above 25 % the HQ step applies too');
    assert.deepEqual(
      sub.approval.steps[0].approvers.map((a: any) => a.name),
      ['张伟'],
      "the store's dealer manager",
    );
    // Locked while pending: neither the generic API nor the lines route may change it.
    const cur = await ok(sun.get(`/records/quote/${big.id}`));
    const locked = await sun.patch(`/records/quote/${big.id}`, { version: cur.version, name: 'changed' });
    assert.equal(locked.status, 422);
    assert.match(locked.body.detail, /审批中/);
    assert.equal((await sun.request('PUT', `/quotes/${big.id}/lines`, { lines: [] })).status, 422);
    // Not the approver of step 1.
    const hq = await login(env, seed.slug, 'wang.jianguo');
    assert.equal((await hq.post(`/approvals/${sub.approval.id}/approve`, {})).status, 403);
    const zhang = await login(env, seed.slug, 'zhang.wei');
    const inbox = await ok(zhang.get('/approvals?box=pending'));
    assert.equal(inbox.counts.pending, 1);
    assert.equal(inbox.items[0].recordName, 'big');
    const step1 = await ok(
      zhang.post(`/approvals/${sub.approval.id}/approve`, { comment: '同意，注意回款' }),
    );
    assert.equal(step1.status, 'pending');
    assert.equal(step1.currentStep, 1);
    assert.deepEqual(
      step1.steps[1].approvers.map((a: any) => a.name),
      ['王建国'],
    );
    assert.equal((await ok(zhang.get('/approvals?box=pending'))).counts.pending, 0);
    const done = await ok(hq.post(`/approvals/${sub.approval.id}/approve`, {}));
    assert.equal(done.status, 'approved');
    assert.deepEqual(
      done.history.map((h: any) => h.action),
      ['submit', 'approve', 'approve'],
    );
    assert.equal(done.history[1].comment, '同意，注意回款');
    assert.equal((await ok(sun.get(`/records/quote/${big.id}`))).status, 'approved');
    assert.equal((await hq.post(`/approvals/${sub.approval.id}/approve`, {})).status, 409);
    const events = await q(
      env,
      seed.tenantId,
      sql`select type, payload from outbox where tenant_id = ${seed.tenantId} and type like 'approval.%' order by id`,
    );
    assert.deepEqual(
      events.map((e: any) => e.type),
      ['approval.requested', 'approval.step_approved', 'approval.requested', 'approval.approved'],
    );
    assert.ok((events[0] as any).payload.approverIds.length === 1);
    // Approvers of each step and finally the requester are notified in-app.
    const notes = await q(
      env,
      seed.tenantId,
      sql`select u.login, n.kind, n.title from notifications n join users u on u.tenant_id = n.tenant_id and u.id = n.user_id
      where n.tenant_id = ${seed.tenantId} and n.kind like 'approval.%' order by n.id`,
    );
    assert.deepEqual(
      notes.map((n: any) => `${n.login}:${n.kind}`),
      ['zhang.wei:approval.requested', 'wang.jianguo:approval.requested', 'sun.lei:approval.approved'],
    );
    assert.match((notes[0] as any).title, /待审批：报价单「big」/);
    const history = await ok(sun.get(`/approvals/history?object=quote&recordId=${big.id}`));
    assert.equal(history.items.length, 1);
    await drainBackground(env, seed.tenantId);
  });

  it('returns a quote to draft for changes and rejects for good, comments required', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const product = await catalogue(admin);
    const sun = await login(env, seed.slug, 'sun.lei');
    const zhang = await login(env, seed.slug, 'zhang.wei');
    const quote = await ok(sun.post('/records/quote', { name: 'R', customerId: await newCustomer(sun) }));
    await ok(
      sun.request('PUT', `/quotes/${quote.id}/lines`, {
        lines: [{ productId: product.id, quantity: 1, discountPercent: 20 }],
      }),
    );
    const a1 = (await ok(sun.post(`/quotes/${quote.id}/submit`))).approval;
    assert.equal(a1.steps.length, 1);
    const noComment = await zhang.post(`/approvals/${a1.id}/return`, {});
    assert.equal(noComment.status, 422);
    assert.equal(noComment.body.errors[0].field, 'comment');
    const ret = await ok(zhang.post(`/approvals/${a1.id}/return`, { comment: '折扣降到 15% 以内' }));
    assert.equal(ret.status, 'returned');
    assert.equal((await ok(sun.get(`/records/quote/${quote.id}`))).status, 'draft');
    // Edited and resubmitted: still above the threshold, then rejected.
    await ok(
      sun.request('PUT', `/quotes/${quote.id}/lines`, {
        lines: [{ productId: product.id, quantity: 1, discountPercent: 18 }],
      }),
    );
    const a2 = (await ok(sun.post(`/quotes/${quote.id}/submit`))).approval;
    assert.notEqual(a2.id, a1.id);
    await ok(zhang.post(`/approvals/${a2.id}/reject`, { comment: '价格底线' }));
    const rejected = await ok(sun.get(`/records/quote/${quote.id}`));
    assert.equal(rejected.status, 'rejected');
    assert.equal(
      (await sun.post(`/quotes/${quote.id}/contract`, {})).status,
      403,
      'a salesperson cannot create contracts',
    );
    assert.equal((await zhang.post(`/quotes/${quote.id}/contract`, {})).status, 409);
    const mine = await ok(sun.get('/approvals?box=mine'));
    assert.deepEqual(mine.items.map((i: any) => i.status).sort(), ['rejected', 'returned']);
    // An outsider (another dealer) cannot see the request at all.
    const liu = await login(env, seed.slug, 'liu.yang');
    assert.equal((await liu.get(`/approvals/${a2.id}`)).status, 404);
    assert.equal((await liu.post(`/approvals/${a2.id}/approve`, {})).status, 404);
  });

  it('carries an approved quote to a contract, an order, a payment plan and receipts', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const product = await catalogue(admin);
    const zhang = await login(env, seed.slug, 'zhang.wei');
    const cust = await newCustomer(zhang);
    const opp = await newOpportunity(zhang, cust, 2_000_000);
    const quote = await ok(
      zhang.post('/records/quote', { name: 'LTC', customerId: cust, opportunityId: opp.id }),
    );
    await ok(
      zhang.request('PUT', `/quotes/${quote.id}/lines`, {
        lines: [{ productId: product.id, quantity: 10, taxRate: 0 }],
      }),
    );
    assert.equal(
      (await zhang.post(`/quotes/${quote.id}/contract`, {})).status,
      409,
      'draft quotes cannot become contracts',
    );
    await ok(zhang.post(`/quotes/${quote.id}/submit`));
    const contract = await ok(zhang.post(`/quotes/${quote.id}/contract`, { contractNo: `HT-${Date.now()}` }));
    assert.equal(contract.status, 'draft');
    assert.deepEqual(contract.amount, cny(900_000));
    assert.equal(contract.customerId, cust);
    assert.equal(contract.opportunityId, opp.id);
    // Titled by customer and products, not by the quote's name.
    const customerName = (await ok(zhang.get(`/records/customer/${cust}`))).name;
    assert.equal(contract.name, `${customerName} · ${product.name} 合同`);
    assert.equal((await ok(zhang.get(`/records/quote/${quote.id}`))).status, 'accepted');
    assert.equal(
      (await zhang.post(`/contracts/${contract.id}/order`, {})).status,
      409,
      'only active contracts',
    );
    assert.equal((await zhang.post(`/contracts/${contract.id}/status`, { status: 'completed' })).status, 409);
    await ok(zhang.post(`/contracts/${contract.id}/status`, { status: 'active' }));
    const order = await ok(zhang.post(`/contracts/${contract.id}/order`, {}));
    assert.equal(order.status, 'draft');
    assert.equal(order.paymentStatus, 'unpaid');
    assert.deepEqual(order.amount, cny(900_000));
    // Illegal transitions are 409 with a localized message; unknown ones 422.
    const skip = await zhang.post(`/orders/${order.id}/status`, { status: 'shipped' });
    assert.equal(skip.status, 409);
    assert.match(skip.body.detail, /草稿.*已发货/);
    assert.equal((await zhang.post(`/orders/${order.id}/status`, { status: 'teleported' })).status, 422);
    // While draft the amount may change; once confirmed it is fixed.
    const draft = await ok(zhang.get(`/records/order/${order.id}`));
    await ok(zhang.patch(`/records/order/${order.id}`, { version: draft.version, amount: cny(900_000) }));
    await ok(zhang.post(`/orders/${order.id}/status`, { status: 'confirmed' }));
    const confirmed = await ok(zhang.get(`/records/order/${order.id}`));
    assert.equal(
      (await zhang.patch(`/records/order/${order.id}`, { version: confirmed.version, amount: cny(1) }))
        .status,
      422,
    );
    // Plan must add up.
    const badPlan = await zhang.request('PUT', `/orders/${order.id}/plan`, {
      items: [{ dueDate: '2026-12-01', amount: 100 }],
    });
    assert.equal(badPlan.status, 422);
    await ok(
      zhang.request('PUT', `/orders/${order.id}/plan`, {
        items: [
          { dueDate: '2026-01-01', amount: 300_000, note: '预付款' },
          { dueDate: '2099-06-01', amount: 600_000, note: '尾款' },
        ],
      }),
    );
    const r1 = await ok(
      zhang.post('/records/payment', {
        orderId: order.id,
        amount: cny(400_000),
        paidAt: '2026-11-20',
        method: 'bank_transfer',
      }),
    );
    assert.equal(r1.customerId, cust);
    assert.match(r1.name, /^RC-/);
    let o = await ok(zhang.get(`/records/order/${order.id}`));
    assert.equal(o.paymentStatus, 'partial');
    assert.deepEqual(o.paidAmount, cny(400_000));
    const plan = await ok(zhang.get(`/orders/${order.id}/plan`));
    assert.deepEqual(
      plan.items.map((i: any) => [i.paid, i.status]),
      [
        [300_000, 'paid'],
        [100_000, 'partial'],
      ],
    );
    const over = await zhang.post('/records/payment', {
      orderId: order.id,
      amount: cny(600_001),
      paidAt: '2026-11-21',
    });
    assert.equal(over.status, 422);
    assert.match(over.body.errors[0].message, /5000\.00/);
    await ok(
      zhang.post('/records/payment', { orderId: order.id, amount: cny(500_000), paidAt: '2026-11-22' }),
    );
    o = await ok(zhang.get(`/records/order/${order.id}`));
    assert.equal(o.paymentStatus, 'paid');
    // Deleting a receipt re-opens the balance (by event).
    await ok(zhang.del(`/records/payment/${r1.id}`));
    await drainBackground(env, seed.tenantId);
    o = await ok(zhang.get(`/records/order/${order.id}`));
    assert.equal(o.paymentStatus, 'partial');
    assert.deepEqual(o.paidAmount, cny(500_000));
    await ok(zhang.post(`/orders/${order.id}/status`, { status: 'shipped' }));
    await ok(zhang.post(`/orders/${order.id}/status`, { status: 'completed' }));
    assert.equal((await zhang.post(`/orders/${order.id}/status`, { status: 'cancelled' })).status, 409);
    const audits = await q(
      env,
      seed.tenantId,
      sql`select changes from audit_log where tenant_id = ${seed.tenantId} and record_id = ${order.id} and action = 'status_change' order by id`,
    );
    assert.equal(audits.length, 3);
  });
});

describe('approval lock on delete', () => {
  it('refuses to delete a quote while its approval is pending (409 naming the approval), single and bulk', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const sun = await login(env, seed.slug, 'sun.lei');
    const zhang = await login(env, seed.slug, 'zhang.wei');
    const cust = await newCustomer(sun);
    const quote = await ok(sun.post('/records/quote', { name: '待批报价', customerId: cust }));
    await ok(
      sun.request('PUT', `/quotes/${quote.id}/lines`, {
        lines: [{ productName: '安装服务', quantity: 1, unitPrice: 100_000, discountPercent: 20 }],
      }),
    );
    const approval = (await ok(sun.post(`/quotes/${quote.id}/submit`))).approval;
    const other = await ok(zhang.post('/records/quote', { name: '普通报价', customerId: cust }));

    const single = await zhang.del(`/records/quote/${quote.id}`);
    assert.equal(single.status, 409);
    assert.match(String(single.headers.get('content-type')), /application\/problem\+json/);
    assert.equal(single.body.code, 'conflict');
    assert.equal(single.body.reason, 'approval_pending');
    assert.match(
      single.body.detail,
      /报价单「待批报价」正在审批中（报价折扣审批，孙磊 发起），审批结束前不能删除/,
    );
    assert.equal(single.body.errors[0].params.approvalId, approval.id);

    // The same refusal in the user's language.
    const hq = await login(env, seed.slug, 'wang.jianguo');
    await ok(hq.patch('/auth/me', { locale: 'en-US' }));
    const hqEn = await login(env, seed.slug, 'wang.jianguo');
    hqEn.locale = 'en-US';
    const en = await hqEn.del(`/records/quote/${quote.id}`);
    assert.equal(en.status, 409);
    assert.match(
      en.body.detail,
      /“待批报价” is pending approval \(Quote discount approval, requested by 孙磊\)/,
    );

    // Bulk, all or nothing: nothing is deleted.
    const atomic = await zhang.post('/records/quote/bulk', {
      op: 'delete',
      records: [{ id: other.id }, { id: quote.id }],
    });
    assert.equal(atomic.status, 409);
    assert.equal(atomic.body.errors[0].field, 'records[1].id');
    assert.equal((await ok(zhang.get(`/records/quote/${other.id}`))).deletedAt, null);
    // Bulk, per row: the free row goes, the locked one stays.
    const perRow = await ok(
      zhang.post('/records/quote/bulk', {
        op: 'delete',
        atomic: false,
        records: [{ id: other.id }, { id: quote.id }],
      }),
    );
    assert.deepEqual(
      perRow.results.map((r: any) => [r.ok, r.code ?? null]),
      [
        [true, null],
        [false, 'conflict'],
      ],
    );
    assert.match(perRow.results[1].errors[0].message, /审批中/);
    assert.equal((await ok(sun.get(`/records/quote/${quote.id}`))).deletedAt, null);

    // Once the approval has ended the quote can be deleted.
    await ok(zhang.post(`/approvals/${approval.id}/reject`, { comment: '价格底线' }));
    await ok(zhang.del(`/records/quote/${quote.id}`));
    assert.notEqual((await ok(zhang.get(`/records/quote/${quote.id}`))).deletedAt, null);
  });
});

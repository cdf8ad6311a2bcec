import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../../core/db/tenant-scope.ts';
import { marker, type TenantDirectory, tenantDirectory } from '../../../testing/fixtures.ts';
import { Client, drainBackground, login, newTenantWithAdmin, useTestEnv } from '../../../testing/harness.ts';
import { allowOutboundHost } from '../../../testing/outbound-allow.ts';

const env = useTestEnv();

const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body).slice(0, 500));
  return r.body;
};

/** A receiver standing in for the ERP: every delivery with its headers. */
const received: { headers: IncomingHttpHeaders; body: any }[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    received.push({ headers: req.headers, body: JSON.parse(body) });
    res.writeHead(204).end();
  });
});
let restoreAllow: () => void;
let port = 0;
before(async () => {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  port = (receiver.address() as { port: number }).port;
  restoreAllow = allowOutboundHost(`127.0.0.1:${port}`);
});
after(() => {
  restoreAllow();
  receiver.close();
});

let dir: TenantDirectory;
let admin: Client;
let slug: string;
let tenantId: string;
let erp: Client;
let productId: string;
let ready: Promise<void> | null = null;
const setup = () =>
  (ready ??= (async () => {
    const t = await newTenantWithAdmin(env, 0);
    admin = t.admin;
    slug = t.seed.slug;
    tenantId = t.tenantId;
    dir = await tenantDirectory(env, t.seed);
    const key = await ok(
      admin.post('/admin/api-keys', { name: 'ERP', scopes: ['dealer_network:erp_sync'] }),
      201,
    );
    erp = new Client(env.baseUrl);
    erp.bearer = key.key;
    const p = await ok(
      admin.post('/records/product', {
        name: `P-${marker()}`,
        code: marker('P'),
        listPrice: { amount: 100_00, currency: 'CNY' },
      }),
      201,
    );
    productId = p.id;
    await ok(admin.request('PUT', `/dealers/products/${productId}`, { onHand: 100 }));
  })());

const entries = (ref: string) =>
  inTenant(env.database.db, tenantId, async (tx) =>
    Number(
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from dms_account_entries where tenant_id = ${tenantId}
          and ref = ${ref}`.execute(tx)
      ).rows[0]!.n,
    ),
  );

describe('ERP inbound', () => {
  it('turns a payment into one account movement however often it is replayed, and shows it on the statement', async () => {
    await setup();
    const d1 = dir.unit('EC-D1');
    const body = {
      externalId: `PAY-${marker()}`,
      dealerUnitId: d1,
      amount: 12_345_00,
      reference: `收款单 ${marker()}`,
    };
    const first = await ok(erp.post('/erp/payments', body), 201);
    assert.equal(first.replay, false);
    const replay = await ok(erp.post('/erp/payments', body), 201);
    assert.equal(replay.replay, true);
    assert.equal(replay.id, first.id);
    assert.equal(await entries(`ERP ${body.reference}`), 1);
    // The same external id with other data is a mistake on the ERP's side, not a second payment.
    const reused = await erp.post('/erp/payments', { ...body, amount: 1 });
    assert.equal(reused.status, 409);
    assert.equal(reused.body.errors[0].field, 'externalId');
    const account = await ok(admin.get(`/dealers/accounts/${d1}`));
    assert.equal(account.balance, 12_345_00);
    const period = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    const st = await ok(admin.post('/dealers/statements', { dealerUnitId: d1, period }), 201);
    assert.equal(st.payments, 12_345_00);
  });

  it('scopes receipts by API key, and books a back-dated payment in its month (a future one is a field error)', async () => {
    await setup();
    const d2 = dir.unit('EC-D2');
    const keyB = await ok(
      admin.post('/admin/api-keys', { name: 'ERP B', scopes: ['dealer_network:erp_sync'] }),
      201,
    );
    const erpB = new Client(env.baseUrl);
    erpB.bearer = keyB.key;
    const externalId = `PAY-${marker()}`;
    const body = { externalId, dealerUnitId: d2, amount: 7_00, reference: `A ${marker()}` };
    const a = await ok(erp.post('/erp/payments', body), 201);
    // Key B's payment with the same external id is its own: booked, not a replay of A's, no 409.
    const sameBody = await ok(erpB.post('/erp/payments', body), 201);
    assert.equal(sameBody.replay, false);
    assert.notEqual(sameBody.id, a.id);
    const otherBody = await ok(
      erpB.post('/erp/payments', { ...body, externalId: `${externalId}-x`, reference: `B ${marker()}` }),
      201,
    );
    assert.equal(otherBody.replay, false);
    const reusedByB = await erpB.post('/erp/payments', { ...body, amount: 9_00 });
    assert.equal(reusedByB.status, 409, 'B reusing its own id with other data is still 409');
    assert.equal(await entries(`ERP ${body.reference}`), 2);

    // paidAt: in the future → field error; back-dated → the entry is dated in its month.
    const future = await erp.post('/erp/payments', {
      ...body,
      externalId: `PAY-${marker()}`,
      paidAt: new Date(Date.now() + 3 * 3_600_000).toISOString(),
    });
    assert.equal(future.status, 422);
    assert.equal(future.body.errors[0].field, 'paidAt');
    const now = new Date(Date.now() + 8 * 3_600_000);
    const prev = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15, 2));
    const prevPeriod = prev.toISOString().slice(0, 7);
    const ref = `Back ${marker()}`;
    await ok(
      erp.post('/erp/payments', {
        externalId: `PAY-${marker()}`,
        dealerUnitId: d2,
        amount: 3_00,
        reference: ref,
        paidAt: prev.toISOString(),
      }),
      201,
    );
    const at = await inTenant(env.database.db, tenantId, async (tx) =>
      (
        await sql<{ at: Date }>`select at from dms_account_entries where tenant_id = ${tenantId}
          and ref = ${`ERP ${ref}`}`.execute(tx)
      ).rows.map((r) => new Date(r.at).toISOString()),
    );
    assert.deepEqual(at, [prev.toISOString()]);
    const st = await ok(admin.post('/dealers/statements', { dealerUnitId: d2, period: prevPeriod }), 201);
    assert.ok(st.lines.some((l: any) => l.ref === `ERP ${ref}` && l.amount === 3_00));
    // That month is issued now: a later back-dated payment into it is booked today (on the next statement).
    const ref2 = `Late ${marker()}`;
    await ok(
      erp.post('/erp/payments', {
        externalId: `PAY-${marker()}`,
        dealerUnitId: d2,
        amount: 4_00,
        reference: ref2,
        paidAt: prev.toISOString(),
      }),
      201,
    );
    const at2 = await inTenant(env.database.db, tenantId, async (tx) =>
      (
        await sql<{ at: Date }>`select at from dms_account_entries where tenant_id = ${tenantId}
          and ref = ${`ERP ${ref2}`}`.execute(tx)
      ).rows.map((r) => new Date(r.at).getTime()),
    );
    assert.ok(at2[0]! > Date.now() - 60_000);
  });

  it('lets only someone who reads dealers tenant-wide point a webhook at dms.* events', async () => {
    await setup();
    const hooksOnly = await ok(
      admin.post('/admin/api-keys', { name: 'hooks', scopes: ['leads:configure'] }),
      201,
    );
    const h = new Client(env.baseUrl);
    h.bearer = hooksOnly.key;
    const url = `http://127.0.0.1:${port}/x`;
    for (const kinds of [['dms.*'], ['dms.order.shipped'], ['lead.assigned', 'dms.statement.issued']]) {
      const r = await h.post('/notification-webhooks', { url, kinds });
      assert.equal(r.status, 403, JSON.stringify(kinds));
      assert.match(r.headers.get('content-type') ?? '', /problem\+json/);
    }
    // Other kinds stay theirs to manage; bad input is still a field error.
    await ok(h.post('/notification-webhooks', { url, kinds: ['lead.assigned'] }), 201);
    assert.equal(
      (await h.post('/notification-webhooks', { url: 'not a url', kinds: ['lead.assigned'] })).status,
      422,
    );
    // With dealers read rights over the whole tenant (the admin's key), dms.* is allowed.
    const both = await ok(
      admin.post('/admin/api-keys', { name: 'both', scopes: ['leads:configure', 'dealers:read'] }),
      201,
    );
    const b = new Client(env.baseUrl);
    b.bearer = both.key;
    const allowed = await ok(b.post('/notification-webhooks', { url, kinds: ['dms.*'] }), 201);
    // Out of the way of the next test, which counts what this receiver gets.
    assert.ok(
      [200, 204].includes((await admin.request('DELETE', `/notification-webhooks/${allowed.id}`)).status),
    );
  });

  it('validates with field errors, and refuses callers without the ERP permission or outside the tenant', async () => {
    await setup();
    const bad = await erp.post('/erp/payments', {
      externalId: 'x',
      dealerUnitId: dir.unit('EC-D1'),
      amount: -5,
      reference: 'r',
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'amount');
    const zhang = await login(env, slug, 'zhang.wei');
    const body = {
      externalId: `PAY-${marker()}`,
      dealerUnitId: dir.unit('EC-D1'),
      amount: 1_00,
      reference: 'r',
    };
    assert.equal((await zhang.post('/erp/payments', body)).status, 403);
    const narrow = await ok(admin.post('/admin/api-keys', { name: 'read', scopes: ['dealers:read'] }), 201);
    const reader = new Client(env.baseUrl);
    reader.bearer = narrow.key;
    assert.equal((await reader.post('/erp/payments', body)).status, 403);
    const other = await newTenantWithAdmin(env, 0);
    const otherDir = await tenantDirectory(env, other.seed);
    const foreign = await erp.post('/erp/payments', { ...body, dealerUnitId: otherDir.unit('EC-D1') });
    assert.ok([404, 422].includes(foreign.status), `${foreign.status}`);
  });

  it('ships an approved order with tracking once, sets HQ stock, and sends the order’s events to the ERP’s webhook signed', async () => {
    await setup();
    const hook = await ok(
      admin.post('/notification-webhooks', { url: `http://127.0.0.1:${port}/erp`, kinds: ['dms.*'] }),
      201,
    );
    assert.ok(hook.secret);
    const zhang = await login(env, slug, 'zhang.wei');
    const order = await ok(zhang.post('/dealers/orders', { lines: [{ productId, quantity: 2 }] }), 201);
    await ok(zhang.post(`/dealers/orders/${order.id}/submit`, {}));
    const chen = await login(env, slug, 'chen.zhiqiang');
    for (const r of ((await ok(chen.get('/approvals'))).items as any[]).filter(
      (x) => x.recordId === order.id,
    ))
      await ok(chen.post(`/approvals/${r.id}/approve`, {}));
    assert.equal((await ok(admin.get(`/dealers/orders/${order.id}`))).status, 'approved');
    const shipment = {
      externalId: `SHIP-${marker()}`,
      orderId: order.id,
      carrier: '顺丰',
      trackingNo: 'SF1234567890',
    };
    await ok(erp.post('/erp/shipments', shipment), 201);
    assert.equal((await ok(erp.post('/erp/shipments', shipment), 201)).replay, true);
    assert.equal((await ok(admin.get(`/dealers/orders/${order.id}`))).status, 'shipped');
    const tracked = await ok(erp.get(`/erp/orders/${order.id}/shipments`));
    assert.deepEqual(
      tracked.items.map((s: any) => s.trackingNo),
      ['SF1234567890'],
    );
    // A draft cannot be shipped.
    const draft = await ok(zhang.post('/dealers/orders', { lines: [{ productId, quantity: 1 }] }), 201);
    const early = await erp.post('/erp/shipments', {
      ...shipment,
      externalId: `SHIP-${marker()}`,
      orderId: draft.id,
    });
    assert.equal(early.status, 409);
    await ok(
      erp.post('/erp/stock-levels', { externalId: `STK-${marker()}`, levels: [{ productId, onHand: 500 }] }),
      201,
    );
    const cat = await ok(admin.get(`/dealers/catalogue?dealerUnitId=${dir.unit('EC-D1')}`));
    assert.equal(cat.items.find((p: any) => p.productId === productId).available, 500);

    await drainBackground(env, tenantId);
    const mine = received.filter((r) => r.body.data?.orderId === order.id);
    assert.deepEqual(mine.map((r) => r.body.type).sort(), [
      'dms.order.approved',
      'dms.order.shipped',
      'dms.order.submitted',
    ]);
    for (const r of mine) {
      assert.ok(r.headers['webhook-id'] && r.headers['webhook-timestamp']);
      assert.match(String(r.headers['webhook-signature']), /^v1,/);
      assert.equal(r.body.data.lines[0].productId, productId);
    }
    const log = await ok(admin.get(`/notification-webhooks/${hook.id}/deliveries`));
    assert.ok(log.items.every((d: any) => d.status === 'delivered' && d.notificationId === null));
  });
});

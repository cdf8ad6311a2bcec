import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { getTestEnv, login, newTenant, type TestEnv } from '../../testing/harness.ts';
import { addDays, todayInTenant } from './quote-validity.ts';
import { newCustomer, ok, q, sql } from './test-kit.ts';

after(async () => (await getTestEnv()).close());

type C = Awaited<ReturnType<typeof login>>;

/** A 1×1 blue PNG: the smallest logo there is. */
const LOGO = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYPgPAAEDAQAIicLsAAAAAElFTkSuQmCC';

/** An approved quote of `sales` (10 % discount: under the approval threshold, approved on submit). */
async function approvedQuote(sales: C, customerName?: string) {
  const customerId = await newCustomer(sales, customerName);
  const quote = await ok(sales.post('/records/quote', { name: '门锁报价', customerId, notes: '含安装' }));
  await ok(
    sales.request('PUT', `/quotes/${quote.id}/lines`, {
      lines: [
        { productName: '智能门锁 X1', quantity: 10, unitPrice: 100_000, discountPercent: 10, taxRate: 13 },
        { productName: '上门安装', quantity: 10, unitPrice: 5_000, taxRate: 6 },
      ],
    }),
  );
  const submitted = await ok(sales.post(`/quotes/${quote.id}/submit`));
  assert.equal(submitted.quote.status, 'approved');
  return { ...submitted.quote, customerId };
}

/** The text a PDF shows, read back from its ToUnicode maps (pdfkit writes glyph ids, not text). */
function pdfUnicode(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const maps: string[] = [];
  for (const m of raw.matchAll(/stream\r?\n/g)) {
    const start = m.index! + m[0].length;
    const end = raw.indexOf('endstream', start);
    let body: string;
    try {
      body = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      body = raw.slice(start, end);
    }
    if (/begincmap/.test(body)) maps.push(body);
  }
  // Every unicode value a map names (range bounds read as control characters, harmless here).
  const chars = [...maps.join('').matchAll(/<([0-9a-f]{4,8})>/gi)].map((x) =>
    String.fromCodePoint(Number.parseInt(x[1]!, 16)),
  );
  return chars.join('');
}

const anon = (env: TestEnv, path: string, headers: Record<string, string> = {}) =>
  fetch(env.baseUrl + path, { headers: { 'accept-language': 'zh-CN', ...headers } });

describe('quotes are documents', () => {
  it('locks an approved quote: an edit is a new revision, approval re-runs only when price or discount changed', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const sun = await login(env, seed.slug, 'sun.lei');
    const v1 = await approvedQuote(sun);
    assert.equal(v1.revision, 1);

    // Locked: neither the generic API nor the lines route edits it in place.
    const patch = await sun.patch(`/records/quote/${v1.id}`, { version: v1.version, notes: '改备注' });
    assert.equal(patch.status, 422);
    assert.equal(patch.body.errors[0].field, 'notes');
    assert.match(patch.body.errors[0].message, /已批准并锁定，修改请生成新版本/);
    const lines = await sun.request('PUT', `/quotes/${v1.id}/lines`, { lines: [] });
    assert.equal(lines.status, 409);
    assert.equal(lines.body.reason, 'quote_locked');

    // Validity and notes only: v2 is approved at once, v1 kept as 已修订.
    const until = addDays(todayInTenant(), 60);
    const v2 = await ok(
      sun.post(`/quotes/${v1.id}/revisions`, { validUntil: until, notes: '含安装及一年质保' }),
    );
    assert.equal(v2.quote.revision, 2);
    assert.equal(v2.quote.revisionOf, v1.id);
    assert.equal(v2.quote.status, 'approved');
    assert.equal(v2.approvalRerun, false);
    assert.equal(v2.approval, null);
    assert.equal(v2.quote.validUntil, until);
    assert.deepEqual(v2.quote.total, v1.total, 'the approved prices are carried over');
    assert.equal(v2.lines.length, 2);
    assert.equal(v2.previousId, v1.id);
    const old = await ok(sun.get(`/records/quote/${v1.id}`));
    assert.equal(old.status, 'superseded');
    assert.equal(old.notes, '含安装', 'the old revision is kept as it was');
    const again = await sun.post(`/quotes/${v1.id}/revisions`, { notes: 'x' });
    assert.equal(again.status, 409);
    assert.equal(again.body.reason, 'quote_superseded');
    assert.match(again.body.detail, /v2/);
    const oldPatch = await sun.patch(`/records/quote/${v1.id}`, { version: old.version, name: 'x' });
    assert.equal(oldPatch.status, 422, 'a superseded revision is read-only');

    // A discount change: v3 goes through approval again (20 % > 15 % → the dealer manager).
    const v3 = await ok(
      sun.post(`/quotes/${v2.quote.id}/revisions`, {
        lines: [
          { productName: '智能门锁 X1', quantity: 10, unitPrice: 100_000, discountPercent: 20, taxRate: 13 },
        ],
      }),
    );
    assert.equal(v3.quote.revision, 3);
    assert.equal(v3.quote.revisionOf, v1.id, 'every revision names the first');
    assert.equal(v3.approvalRerun, true);
    assert.equal(v3.quote.status, 'pending_approval');
    assert.ok(v3.approval?.id);
    // A price change under the threshold re-runs approval too, which passes it at once.
    const zhang = await login(env, seed.slug, 'zhang.wei');
    await ok(zhang.post(`/approvals/${v3.approval.id}/approve`, {}));
    const v4 = await ok(
      sun.post(`/quotes/${v3.quote.id}/revisions`, {
        lines: [
          { productName: '智能门锁 X1', quantity: 12, unitPrice: 100_000, discountPercent: 5, taxRate: 13 },
        ],
      }),
    );
    assert.equal(v4.approvalRerun, true);
    assert.equal(v4.quote.status, 'approved');

    const doc = await ok(sun.get(`/quotes/${v4.quote.id}/document`));
    assert.deepEqual(
      doc.revisions.map((r: any) => [r.revision, r.status]),
      [
        [4, 'approved'],
        [3, 'superseded'],
        [2, 'superseded'],
        [1, 'superseded'],
      ],
    );
    assert.equal(doc.locked, true);
    assert.equal(doc.expired, false);
    const oldDoc = await ok(sun.get(`/quotes/${v1.id}/document`));
    assert.equal(oldDoc.supersededBy, v2.quote.id);
    assert.equal(oldDoc.revisions.length, 4, 'the old revision lists the whole chain');

    // Bad input: a malformed date is a field error; another dealer's salesperson sees nothing.
    const bad = await sun.post(`/quotes/${v4.quote.id}/revisions`, { validUntil: '31/12/2026' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'validUntil');
    const ma = await login(env, seed.slug, 'ma.chao');
    assert.equal((await ma.post(`/quotes/${v4.quote.id}/revisions`, { notes: 'x' })).status, 404);
    assert.equal((await ma.get(`/quotes/${v4.quote.id}/document`)).status, 404);
  });

  it('dates validity from the tenant default, shows 已过期, and refuses to turn an expired quote into a contract', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const sun = await login(env, seed.slug, 'sun.lei');
    const first = await ok(sun.post('/records/quote', { name: 'A', customerId: await newCustomer(sun) }));
    assert.equal(first.validUntil, addDays(todayInTenant(), 30), '30 days by default');
    const settings = await ok(admin.get('/sales/quote-settings'));
    assert.equal(settings.validityDays, 30);
    assert.ok(settings.tenantName);
    assert.equal(
      (await sun.request('PUT', '/sales/quote-settings', { ...settings, validityDays: 7 })).status,
      403,
      'a salesperson does not set the letterhead',
    );
    const { tenantName: _, ...input } = settings;
    await ok(
      admin.request('PUT', '/sales/quote-settings', {
        ...input,
        validityDays: 7,
        companyName: '宁波客户科技有限公司',
      }),
    );
    const badLogo = await admin.request('PUT', '/sales/quote-settings', {
      ...input,
      logo: 'javascript:alert(1)',
    });
    assert.equal(badLogo.status, 422);
    assert.equal(badLogo.body.errors[0].field, 'logo');
    const second = await ok(sun.post('/records/quote', { name: 'B', customerId: await newCustomer(sun) }));
    assert.equal(second.validUntil, addDays(todayInTenant(), 7));

    const quote = await approvedQuote(sun);
    await q(env, seed.tenantId, sql`update quotes set valid_until = current_date - 3 where id = ${quote.id}`);
    const doc = await ok(sun.get(`/quotes/${quote.id}/document`));
    assert.equal(doc.expired, true);
    const zhang = await login(env, seed.slug, 'zhang.wei');
    const contract = await zhang.post(`/quotes/${quote.id}/contract`, {});
    assert.equal(contract.status, 409);
    assert.equal(contract.body.reason, 'quote_expired');
    // A validity-only revision brings it back without another approval, and 转合同 works.
    const v2 = await ok(
      sun.post(`/quotes/${quote.id}/revisions`, { validUntil: addDays(todayInTenant(), 10) }),
    );
    assert.equal(v2.quote.status, 'approved');
    const made = await ok(zhang.post(`/quotes/${v2.quote.id}/contract`, {}));
    assert.equal(made.quoteId, v2.quote.id);
  });

  it('prints a PDF in the letterhead with the Chinese font embedded, audited, in the viewer scope', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    const settings = await ok(admin.get('/sales/quote-settings'));
    const { tenantName: _, ...input } = settings;
    await ok(
      admin.request('PUT', '/sales/quote-settings', {
        ...input,
        companyName: '宁波客户科技有限公司',
        address: '浙江省宁波市鄞州区天童南路 588 号',
        phone: '0574-8888 6666',
        logo: `data:image/png;base64,${LOGO}`,
      }),
    );
    const sun = await login(env, seed.slug, 'sun.lei');
    const quote = await approvedQuote(sun, '杭州西湖建材有限公司');
    const res = await fetch(`${env.baseUrl}/api/v1/quotes/${quote.id}/pdf`, {
      headers: { cookie: sun.cookie, 'accept-language': 'zh-CN' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    assert.match(res.headers.get('content-disposition') ?? '', /filename\*=UTF-8''.*v1\.pdf/);
    const pdf = Buffer.from(await res.arrayBuffer());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const raw = pdf.toString('latin1');
    assert.ok(raw.includes('/FontFile2'), 'a TrueType font is embedded');
    assert.match(raw, /\/Subtype \/Image/, 'the logo is printed');
    assert.match(raw, /\/BaseFont \/[A-Z]{6}\+NotoSansSC/, 'as a subset');
    assert.ok(pdf.length < 200_000, `a one-page quote stays small (${pdf.length} bytes)`);
    const text = pdfUnicode(pdf);
    for (const s of [
      '宁波客户科技有限公司',
      '杭州西湖建材有限公司',
      '报价单',
      '智能门锁',
      '有效期至',
      '签字',
      '壹',
    ])
      for (const ch of s) assert.ok(text.includes(ch), `the PDF shows ${ch} (of ${s})`);
    assert.ok(!text.includes('稿'), 'an approved quote carries no draft mark');
    const draft = await ok(sun.post('/records/quote', { name: '草拟', customerId: quote.customerId }));
    const draftPdf = await fetch(`${env.baseUrl}/api/v1/quotes/${draft.id}/pdf`, {
      headers: { cookie: sun.cookie, 'accept-language': 'zh-CN' },
    });
    const draftText = pdfUnicode(Buffer.from(await draftPdf.arrayBuffer()));
    for (const ch of '草稿未生效')
      assert.ok(draftText.includes(ch), `a draft is marked 草稿 · 未生效 (${ch})`);
    const audit = await q(
      env,
      seed.tenantId,
      sql`select action, meta from audit_log where record_id = ${quote.id} and action = 'export'`,
    );
    assert.deepEqual(
      audit.map((a: any) => a.meta.format),
      ['pdf'],
    );

    // Scope and permission like the quote: another dealer 404, another tenant 404, a role without quotes 403.
    const ma = await login(env, seed.slug, 'ma.chao');
    assert.equal((await ma.get(`/quotes/${quote.id}/pdf`)).status, 404);
    const other = await newTenant(env, 0);
    const otherAdmin = await login(env, other.slug, 'admin');
    assert.equal((await otherAdmin.get(`/quotes/${quote.id}/pdf`)).status, 404);
    const service = await login(env, seed.slug, 'zhou.xiaoyan');
    assert.equal((await service.get(`/quotes/${quote.id}/pdf`)).status, 403);
    assert.equal(
      (await new (sun.constructor as any)(env.baseUrl).get(`/quotes/${quote.id}/pdf`)).status,
      401,
    );
  });

  it('shares an approved quote by an unguessable link the customer opens signed out; wrong, revoked, expired and foreign links are 404', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const sun = await login(env, seed.slug, 'sun.lei');
    const draft = await ok(sun.post('/records/quote', { name: '草稿', customerId: await newCustomer(sun) }));
    const early = await sun.post(`/quotes/${draft.id}/share`);
    assert.equal(early.status, 409);
    assert.equal(early.body.reason, 'quote_not_shareable');

    const quote = await approvedQuote(sun, '宁波港城五金有限公司');
    const share = await ok(sun.post(`/quotes/${quote.id}/share`));
    assert.match(share.path, /^\/q\/[A-Za-z0-9_-]{54}$/);
    assert.equal(share.expiresOn, quote.validUntil);
    assert.equal(
      (await ok(sun.post(`/quotes/${quote.id}/share`))).path,
      share.path,
      'sharing again gives the same link',
    );

    const page = await anon(env, share.path, {
      'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148',
    });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await page.text();
    assert.match(html, /宁波港城五金有限公司/);
    assert.match(html, /智能门锁 X1/);
    assert.match(html, /data-testid="share-total">¥/);
    assert.doesNotMatch(html, new RegExp(quote.id), 'no internal ids on the page');
    assert.doesNotMatch(html, /<script/);
    const pdf = await anon(env, `${share.path}/pdf`);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');

    assert.equal((await fetch(env.baseUrl + share.path, { method: 'HEAD' })).status, 200);
    // Recorded on the quote's timeline: 客户查看了报价 (a HEAD is nobody reading it).
    const timeline = await ok(sun.get(`/records/quote/${quote.id}/timeline`));
    const views = timeline.items.filter((i: any) => i.action === 'customer_view');
    assert.equal(views.length, 2);
    assert.deepEqual(views.map((v: any) => v.meta.format).sort(), ['page', 'pdf']);
    assert.ok(views.some((v: any) => v.meta.device === 'mobile'));
    const doc = await ok(sun.get(`/quotes/${quote.id}/document`));
    assert.equal(doc.views.count, 2);
    assert.equal(doc.share.path, share.path);

    // Wrong token, a token of the right tenant but another secret, a malformed one: all 404.
    const token = share.path.slice(3);
    const forged = token.slice(0, 22) + 'A'.repeat(32);
    for (const path of [`/q/${forged}`, '/q/nope', `/q/${token.slice(0, 53)}`]) {
      const r = await anon(env, path);
      assert.equal(r.status, 404, path);
      assert.match(await r.text(), /链接无效或已过期/);
    }
    // Another tenant's user cannot reach the quote, nor its share routes.
    const other = await newTenant(env, 0);
    const otherAdmin = await login(env, other.slug, 'admin');
    assert.equal((await otherAdmin.post(`/quotes/${quote.id}/share`)).status, 404);
    assert.equal((await otherAdmin.del(`/quotes/${quote.id}/share`)).status, 404);
    // The token of another tenant's quote with this tenant's prefix finds nothing here.
    const otherSales = await login(env, other.slug, 'sun.lei');
    const foreign = await approvedQuote(otherSales);
    const foreignPath = (await ok(otherSales.post(`/quotes/${foreign.id}/share`))).path as string;
    const mixed = `/q/${token.slice(0, 22)}${foreignPath.slice(3 + 22)}`;
    assert.equal((await anon(env, mixed)).status, 404);
    assert.equal((await anon(env, foreignPath)).status, 200, 'that link works in its own tenant');

    // Expired with the quote's validity.
    await q(env, seed.tenantId, sql`update quotes set valid_until = current_date - 1 where id = ${quote.id}`);
    assert.equal((await anon(env, share.path)).status, 404);
    await q(env, seed.tenantId, sql`update quotes set valid_until = current_date + 5 where id = ${quote.id}`);
    assert.equal((await anon(env, share.path)).status, 200);
    // Revoked.
    const ma = await login(env, seed.slug, 'ma.chao');
    assert.equal((await ma.del(`/quotes/${quote.id}/share`)).status, 404, 'another dealer cannot revoke it');
    assert.equal((await sun.del(`/quotes/${quote.id}/share`)).status, 204);
    assert.equal((await anon(env, share.path)).status, 404);
    assert.equal((await ok(sun.get(`/quotes/${quote.id}/document`))).share, null);
    const audit = await q(
      env,
      seed.tenantId,
      sql`select action from audit_log where record_id = ${quote.id} and action in ('share', 'share_revoke') order by id`,
    );
    assert.deepEqual(
      audit.map((a: any) => a.action),
      ['share', 'share', 'share_revoke'],
    );
  });

  it('moves the link to a revision approved at once and withdraws it while a revision awaits approval', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const sun = await login(env, seed.slug, 'sun.lei');
    const v1 = await approvedQuote(sun);
    const share = await ok(sun.post(`/quotes/${v1.id}/share`));
    const v2 = await ok(sun.post(`/quotes/${v1.id}/revisions`, { notes: '价格含运费' }));
    const page = await anon(env, share.path);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /v2[\s\S]*价格含运费/);
    assert.equal((await ok(sun.get(`/quotes/${v1.id}/document`))).share, null);
    await ok(
      sun.post(`/quotes/${v2.quote.id}/revisions`, {
        lines: [
          { productName: '智能门锁 X1', quantity: 10, unitPrice: 100_000, discountPercent: 30, taxRate: 13 },
        ],
      }),
    );
    assert.equal(
      (await anon(env, share.path)).status,
      404,
      'a pending revision is not shown to the customer',
    );
  });

  it('decides approval on the real discount and total, also for a seller who sees them masked (submit and revision)', async () => {
    const env = await getTestEnv();
    const seed = await newTenant(env, 0);
    const admin = await login(env, seed.slug, 'admin');
    // A tenant hides margins from its sellers: the approval must still see them.
    const role = (await ok(admin.get('/admin/roles'))).items.find((r: any) => r.name === '销售顾问');
    await ok(
      admin.patch(`/admin/roles/${role.id}`, {
        fieldAccess: {
          ...role.fieldAccess,
          quote: { ...role.fieldAccess?.quote, discountPercent: 'masked', total: 'masked' },
        },
      }),
    );
    const sun = await login(env, seed.slug, 'sun.lei');
    const customerId = await newCustomer(sun);
    const deep = [
      { productName: '智能门锁 X1', quantity: 10, unitPrice: 100_000, discountPercent: 30, taxRate: 13 },
    ];
    const big = await ok(sun.post('/records/quote', { name: '大折扣', customerId }));
    await ok(sun.request('PUT', `/quotes/${big.id}/lines`, { lines: deep }));
    const sub = await ok(sun.post(`/quotes/${big.id}/submit`));
    assert.equal(sub.quote.status, 'pending_approval', '30 % goes to approval whoever submits it');
    assert.ok(sub.approval);

    // A revision that deepens the discount of an approved quote re-runs approval the same way.
    const v1 = await approvedQuote(sun);
    const v2 = await ok(sun.post(`/quotes/${v1.id}/revisions`, { lines: deep }));
    assert.equal(v2.approvalRerun, true);
    assert.equal(v2.quote.status, 'pending_approval');
  });
});

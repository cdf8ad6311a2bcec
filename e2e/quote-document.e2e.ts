// Quotes are documents (issue 9 §4), in Chromium: an approved quote is locked and changing it makes
// v2 (the old one kept), the PDF downloads with its Chinese font embedded, the customer opens the
// share link on a 390 px phone without signing in (and the owner sees the view on the timeline),
// and the store manager turns the approved revision into a contract.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  apiLogin,
  eventually,
  failureScreenshot,
  login,
  newPage,
  screenshot,
  testId,
  useServerAndBrowser,
  visibleText,
} from './support.ts';

describe('quote documents', () => {
  const kehu = useServerAndBrowser();

  it('revises an approved quote, downloads its PDF, shares it to a phone and turns it into a contract', {
    timeout: 300_000,
  }, async () => {
    await putAsAdmin(kehu.server.url, '/sales/quote-settings', (s: Record<string, unknown>) => {
      const { tenantName: _, ...input } = s;
      return { ...input, companyName: '宁波客户科技有限公司', phone: '0574-8888 6666' };
    });
    const sales = await apiLogin(kehu.server.url, 'sun.lei');
    const customerName = `宁波港城五金 ${Date.now().toString(36)}`;
    const customer = await sales.post<{ id: string }>('/records/customer', {
      name: customerName,
      kind: 'company',
    });
    const quote = await sales.post<{ id: string }>('/records/quote', {
      name: '门锁与安装报价',
      customerId: customer.id,
    });
    await putAs(kehu.server.url, 'sun.lei', `/quotes/${quote.id}/lines`, () => ({
      lines: [
        { productName: '智能门锁 X1', quantity: 10, unitPrice: 100_000, discountPercent: 10, taxRate: 13 },
        { productName: '上门安装服务', quantity: 10, unitPrice: 5_000, taxRate: 6 },
      ],
    }));
    const submitted = await sales.post<{ quote: { status: string } }>(`/quotes/${quote.id}/submit`);
    assert.equal(submitted.quote.status, 'approved');

    const { page } = await newPage(kehu.browser, kehu.server);
    try {
      await login(page, 'sun.lei');
      await page.goto(`/o/quote/${quote.id}`);
      await testId(page, 'quote-locked').waitFor();
      assert.equal(await visibleText(testId(page, 'quote-status')), '已批准');
      assert.equal(await visibleText(testId(page, 'quote-revision')), 'v1');
      assert.equal(await testId(page, 'save-lines').count(), 0, 'no saving over an approved quote');

      // Change the notes only: v2 is approved at once, v1 kept as 已修订.
      await testId(page, 'revise-quote').click();
      await testId(page, 'quote-notes').fill('含安装及一年质保');
      await testId(page, 'revise-save').click();
      await page.waitForURL((u) => !u.pathname.endsWith(quote.id));
      await eventually(async () => assert.equal(await visibleText(testId(page, 'quote-revision')), 'v2'));
      assert.equal(await visibleText(testId(page, 'quote-status')), '已批准');
      await testId(page, 'revision-1').waitFor();
      assert.match(await visibleText(testId(page, 'revision-1')), /已修订/);
      const v2 = page.url().split('/').pop()!;
      // The next step is offered to the owner too; a salesperson without contract rights sees why.
      assert.equal(await testId(page, 'to-contract').isDisabled(), true);
      assert.match(await visibleText(testId(page, 'to-contract-why')), /新建合同/);

      // The PDF: a real file with the Chinese font inside.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        testId(page, 'quote-pdf').click(),
      ]);
      const pdf = readFileSync((await download.path())!);
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      assert.ok(pdf.includes('/FontFile2'), 'the font is embedded');
      assert.match(download.suggestedFilename(), /v2\.pdf$/);

      // Share, then open the link on a phone, signed out.
      await testId(page, 'share-quote').click();
      const link = testId(page, 'share-link').locator('a');
      await link.waitFor();
      const href = (await link.getAttribute('href'))!;
      assert.match(href, /^\/q\/[A-Za-z0-9_-]{54}$/);
      assert.equal(await visibleText(testId(page, 'share-views')), '客户尚未查看');
      await screenshot(page, 'quote-document-1366-zh-CN.png');

      const phone = await newPage(kehu.browser, kehu.server, {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      });
      await phone.page.goto(href);
      await testId(phone.page, 'share-page').waitFor();
      assert.equal(await visibleText(testId(phone.page, 'share-customer')), customerName);
      assert.equal(await visibleText(testId(phone.page, 'share-company')), '宁波客户科技有限公司');
      assert.match(await visibleText(testId(phone.page, 'share-name')), /v2$/);
      assert.equal(await testId(phone.page, 'share-line').count(), 2);
      const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `the share page is ${width} px wide`);
      assert.equal(
        await phone.page.locator('[data-testid="user-menu"]').count(),
        0,
        'not the app: no sign-in',
      );
      await screenshot(phone.page, 'quote-share-390-zh-CN.png');
      await phone.context.close();
      // A wrong token is the same "not valid" page.
      const wrong = await kehu.browser.newPage();
      const res = await wrong.goto(`${kehu.server.url}${href.slice(0, -4)}AAAA`);
      assert.equal(res?.status(), 404);
      await testId(wrong, 'share-gone').waitFor();
      await wrong.close();

      // The owner sees the view: on the panel and on the quote's timeline.
      await page.reload();
      await eventually(async () =>
        assert.match(await visibleText(testId(page, 'share-views')), /客户已查看 1 次/),
      );
      await page.getByText('客户查看了报价').first().waitFor();

      // The store manager turns the approved revision into a contract (the primary button).
      const manager = await newPage(kehu.browser, kehu.server);
      await login(manager.page, 'zhang.wei');
      await manager.page.goto(`/o/quote/${v2}`);
      const toContract = testId(manager.page, 'to-contract');
      await toContract.waitFor();
      assert.match((await toContract.getAttribute('class')) ?? '', /ant-btn-primary/);
      await toContract.click();
      await manager.page.waitForURL(/\/o\/contract\/[0-9a-f-]{36}$/);
      await testId(manager.page, 'contract-page').waitFor();
      await manager.context.close();

      // The same page in English (the manager's language set to en-US), and on a phone.
      const managerApi = await apiLogin(kehu.server.url, 'zhang.wei');
      await managerApi.patch('/auth/me', { locale: 'en-US' });
      const en = await newPage(kehu.browser, kehu.server, { locale: 'en-US' });
      await login(en.page, 'zhang.wei');
      await en.page.goto(`/o/quote/${v2}`);
      await testId(en.page, 'quote-revisions').waitFor();
      await en.page.getByText('Customer link').waitFor();
      await screenshot(en.page, 'quote-document-1366-en-US.png');
      await en.context.close();
      const mobile = await newPage(kehu.browser, kehu.server, {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      });
      await login(mobile.page, 'sun.lei');
      await mobile.page.goto(`/o/quote/${quote.id}`);
      await testId(mobile.page, 'quote-superseded').waitFor();
      await screenshot(mobile.page, 'quote-document-390-zh-CN.png');
      await mobile.context.close();
    } catch (err) {
      await failureScreenshot(page, 'failure-quote-document.png');
      throw err;
    }
  });
});

const putAsAdmin = (baseUrl: string, path: string, body: (current: any) => unknown) =>
  putAs(baseUrl, 'admin', path, body);

/** GET then PUT as `user` (support.ts's API session has no PUT). */
async function putAs(baseUrl: string, user: string, path: string, body: (current: any) => unknown) {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: 'demo', login: user, password: 'kehu-demo-2026' }),
  });
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const current = await fetch(`${baseUrl}/api/v1${path}`, { headers: { cookie } });
  const put = await fetch(`${baseUrl}/api/v1${path}`, {
    method: 'PUT',
    headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
    body: JSON.stringify(body(current.ok ? await current.json() : null)),
  });
  if (!put.ok) throw new Error(`PUT ${path}: ${put.status} ${await put.text()}`);
}

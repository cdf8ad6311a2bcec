// The live bell (issue 11 §6): 张伟 has Kehu open on his phone; 孙磊 sends a discounted quote for
// approval through the API; the toast and the badge arrive over the notification stream (SSE),
// not the fallback poll (60 s, longer than this test waits).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEMO_PASSWORD,
  DEMO_TENANT,
  eventually,
  failureScreenshot,
  login,
  newPage,
  resultsPath,
  testId,
  useServerAndBrowser,
} from './support.ts';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe('live notifications', () => {
  const kehu = useServerAndBrowser();

  it('an approval request reaches the approver’s open page as a toast', { timeout: 180_000 }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server, PHONE);
    try {
      // The stream is open once the server has answered it.
      const streaming = page.waitForResponse((r) => r.url().includes('/notifications/stream'));
      await login(page, 'zhang.wei');
      await page.goto('/scripts');
      await testId(page, 'scripts-page').waitFor();
      await streaming;
      const admin = await signIn(kehu.server.url, 'admin');
      const product = await admin('POST', '/records/product', {
        name: '智能门锁 E2E',
        code: `E2E-${Date.now()}`,
        listPrice: { amount: 100_000, currency: 'CNY' },
        taxRate: 13,
      });
      const sun = await signIn(kehu.server.url, 'sun.lei');
      const customer = await sun('POST', '/records/customer', { name: '实时通知客户', kind: 'company' });
      const quote = await sun('POST', '/records/quote', { name: '实时通知报价', customerId: customer.id });
      await sun('PUT', `/quotes/${quote.id}/lines`, {
        lines: [{ productId: product.id, quantity: 1, discountPercent: 20 }],
      });
      await sun('POST', `/quotes/${quote.id}/submit`, {});
      const toast = testId(page, 'notification-toast');
      await toast.waitFor({ timeout: 30_000 });
      await toast.getByText(/审批/).first().waitFor();
      // Once it has slid in: on screen, fully opaque.
      await eventually(async () => {
        const box = await toast.boundingBox();
        const opacity = await toast.evaluate((el) => getComputedStyle(el).opacity);
        assert.ok(
          box && box.x >= 0 && box.x + box.width <= 390 && opacity === '1',
          JSON.stringify({ box, opacity }),
        );
      });
      await page.screenshot({ path: resultsPath('notification-toast-zh-390.png') });
    } catch (err) {
      await failureScreenshot(page, 'notification-toast');
      throw err;
    } finally {
      await context.close();
    }
  });
});

/** A signed-in API caller (the support helper has no PUT, which quote lines need). */
async function signIn(baseUrl: string, login: string) {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: DEMO_TENANT, login, password: DEMO_PASSWORD }),
  });
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return async (method: string, path: string, body?: unknown): Promise<any> => {
    const r = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

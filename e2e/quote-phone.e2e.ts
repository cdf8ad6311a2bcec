// The quote builder on a 390×844 phone (zh-CN): lines are stacked cards, nothing scrolls sideways,
// and a line can be typed, priced by the server and flagged for approval without leaving the card.
import assert from 'node:assert/strict';
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

describe('quote builder on a phone', () => {
  const kehu = useServerAndBrowser();

  it('edits lines as stacked cards at 390 px without sideways scrolling', { timeout: 180_000 }, async () => {
    const sales = await apiLogin(kehu.server.url, 'sun.lei');
    const customer = await sales.post<{ id: string }>('/records/customer', {
      name: `宁波港城五金 ${Date.now().toString(36)}`,
      kind: 'company',
    });
    const quote = await sales.post<{ id: string }>('/records/quote', {
      name: '手机报价',
      customerId: customer.id,
    });
    const { page } = await newPage(kehu.browser, kehu.server, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      await login(page, 'sun.lei');
      await page.goto(`/o/quote/${quote.id}`);
      await testId(page, 'line-card-0').waitFor();
      assert.equal(
        await page.locator('[data-testid="quote-page"] .ant-table').count(),
        0,
        'no table on a phone',
      );
      await testId(page, 'line-name-0').fill('安装服务');
      await testId(page, 'line-price-0').fill('1000');
      await testId(page, 'line-discount-0').fill('20');
      await testId(page, 'line-discount-0').blur();
      // 1 000.00 − 20 % = 800.00, + 13 % tax = 904.00, priced by the server.
      await eventually(async () => assert.equal(await visibleText(testId(page, 'line-total-0')), '¥904.00'));
      await testId(page, 'approval-needed').waitFor();
      await testId(page, 'add-line').click();
      await testId(page, 'line-card-1').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 390, `page is ${overflow} px wide`);
      for (const id of ['line-tax-0', 'line-total-0', 'line-remove-1']) {
        const b = await testId(page, id).boundingBox();
        assert.ok(b && b.x >= 0 && b.x + b.width <= 390.5, `${id} is on screen: ${JSON.stringify(b)}`);
      }
      await testId(page, 'line-remove-1').click();
      assert.equal(await testId(page, 'line-card-1').count(), 0);
      await screenshot(page, 'quote-lines-390-zh-CN.png');
    } catch (err) {
      await failureScreenshot(page, 'failure-quote-phone.png');
      throw err;
    }
  });
});

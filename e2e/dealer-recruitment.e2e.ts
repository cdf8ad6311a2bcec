// 招商 on the demo: a prospective dealer applies on the public page at 390 px (zh-CN, a bad phone
// first), HQ finds the application on the recruitment board and opens it with its note.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiLogin,
  failureScreenshot,
  login,
  newPage,
  screenshot,
  testId,
  useServerAndBrowser,
} from './support.ts';

describe('dealer recruitment', () => {
  const kehu = useServerAndBrowser();

  it('takes an application on a phone and shows it to HQ on the board', { timeout: 120_000 }, async () => {
    const hq = await apiLogin(kehu.server.url, 'wang.jianguo');
    const form = await hq.get<{ url: string | null }>('/recruitment/form');
    assert.ok(form.url, 'the demo has a public form link');
    const company = `温州鹿城汽车贸易有限公司${Date.now().toString(36)}`;
    const phone = `139${String(Date.now()).slice(-8)}`;
    const { page } = await newPage(kehu.browser, kehu.server, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      await page.goto(form.url);
      await page.fill('#f-company', company);
      await page.fill('#f-contactName', '林晓');
      await page.fill('#f-phone', '123');
      await page.fill('#f-region', '温州');
      await testId(page, 'join-submit').click();
      await page.locator('#e-phone').filter({ hasText: '手机号' }).waitFor();
      await page.fill('#f-phone', phone);
      await testId(page, 'join-submit').click();
      await testId(page, 'join-thanks').waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `page is ${width} px wide`);
      await screenshot(page, 'dealer-join-390-zh-CN.png');

      const desk = await newPage(kehu.browser, kehu.server);
      await login(desk.page, 'wang.jianguo');
      await desk.page.goto('/dealer-network/recruitment');
      const card = testId(desk.page, 'dnw-col-new').getByText(company);
      await card.click();
      await testId(desk.page, 'dnw-application-page').getByText(phone).waitFor();
      await screenshot(desk.page, 'dealer-application-1366-zh-CN.png');
    } catch (err) {
      await failureScreenshot(page, 'failure-dealer-recruitment.png');
      throw err;
    }
  });
});

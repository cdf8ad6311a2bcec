// 素材库 end to end: HQ writes an article, shares it for a customer, the customer reads it on a
// phone (heartbeats driven by the page clock, no waiting) and the material's report shows the
// open and the read time. Screens at 390 px (zh-CN) and 1366 px.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiLogin,
  chooseOption,
  eventually,
  failureScreenshot,
  login,
  newPage,
  screenshot,
  testId,
  useServerAndBrowser,
  visibleText,
} from './support.ts';

describe('materials', () => {
  const kehu = useServerAndBrowser();

  it('create an article, share it for a customer, read it on a phone, see it in the report', {
    timeout: 240_000,
  }, async () => {
    const hq = await apiLogin(kehu.server.url, 'wang.jianguo');
    // The demo has read history: 孙磊 shared HQ's launch article with a few customers.
    const library = await hq.get<{ items: Array<{ id: string; title: string }> }>('/materials');
    assert.ok(library.items.length >= 12, `${library.items.length} demo materials`);
    const launch = library.items.find((m) => m.title.startsWith('2026 款智能电动 SUV'))!;
    const demo = await hq.get<{ total: { sent: number; opens: number; forwards: number } }>(
      `/materials/${launch.id}/report`,
    );
    assert.ok(
      demo.total.sent >= 3 && demo.total.opens >= 3 && demo.total.forwards >= 1,
      JSON.stringify(demo.total),
    );
    const name = `王先生 ${Date.now().toString(36)}`;
    await hq.post('/records/customer', { name, kind: 'person', phone: '13912345001' });
    const title = `冬季保养指南 ${Date.now().toString(36)}`;
    const { page } = await newPage(kehu.browser, kehu.server);
    const phone = await newPage(kehu.browser, kehu.server, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      await login(page, 'wang.jianguo');
      await page.goto('/materials');
      await testId(page, 'material-card').first().waitFor();
      await screenshot(page, 'materials-library-1366-zh-CN.png');
      await testId(page, 'material-new').click();
      await testId(page, 'material-title').fill(title);
      await testId(page, 'material-body-editor').click();
      await page.keyboard.type('出发前预约加热座舱，保持胎压 2.5 bar。');
      await screenshot(page, 'materials-editor-1366-zh-CN.png');
      await testId(page, 'material-save').click();
      const card = testId(page, 'material-card').filter({ hasText: title });
      await card.waitFor();
      await card.locator('[data-testid="material-share"]').click();
      await chooseOption(page, testId(page, 'share-customer'), name, name);
      await testId(page, 'share-create').click();
      const url = await testId(page, 'share-url').inputValue();
      await screenshot(page, 'materials-share-1366-zh-CN.png');
      assert.match(url, /\/m\/[A-Za-z0-9_-]{44}$/);

      // The customer reads on a phone: 45 s of the page clock send three heartbeats.
      await phone.page.clock.install();
      await phone.page.goto(new URL(url).pathname);
      assert.equal(await visibleText(testId(phone.page, 'reader-title')), title);
      assert.match(await visibleText(testId(phone.page, 'reader-body')), /加热座舱/);
      await phone.page.clock.runFor(46_000);
      const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `reader is ${width} px wide`);
      await screenshot(phone.page, 'materials-reader-390-zh-CN.png');

      await page.keyboard.press('Escape');
      await card.locator('[data-testid="material-report"]').click();
      await eventually(async () => {
        await page.reload();
        assert.match(await visibleText(testId(page, 'report-opens')), /^打开\s*1$/);
        assert.match(await visibleText(testId(page, 'report-avgRead')), /平均阅读时长\s*4[0-9] 秒/);
      });
      assert.match(await visibleText(testId(page, 'report-sent')), /发送\s*1/);
      await testId(page, 'report-chart').locator('canvas').waitFor();
      await screenshot(page, 'materials-report-1366-zh-CN.png');

      // The library and the report on a phone.
      const salesPhone = await newPage(kehu.browser, kehu.server, {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
      });
      await login(salesPhone.page, 'wang.jianguo');
      await salesPhone.page.goto('/materials');
      await testId(salesPhone.page, 'material-card').first().waitFor();
      await screenshot(salesPhone.page, 'materials-library-390-zh-CN.png');
      await testId(salesPhone.page, 'material-share').first().click();
      await testId(salesPhone.page, 'share-create').waitFor();
      await screenshot(salesPhone.page, 'materials-share-390-zh-CN.png');
      await salesPhone.page.keyboard.press('Escape');
      await salesPhone.page.goto(new URL(page.url()).pathname);
      await testId(salesPhone.page, 'report-chart').locator('canvas').waitFor();
      await screenshot(salesPhone.page, 'materials-report-390-zh-CN.png');
      const w2 = await salesPhone.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(w2 <= 390, `report is ${w2} px wide`);
    } catch (err) {
      await failureScreenshot(page, 'failure-materials.png');
      await failureScreenshot(phone.page, 'failure-materials-reader.png');
      throw err;
    }
  });
});

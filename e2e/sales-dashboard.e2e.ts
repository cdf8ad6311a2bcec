// The sales dashboard and targets on the demo tenant as 张伟 (经销商店长): the KPI figures first, the
// period picker on a click, the tables below the charts once scrolled to; the targets list as a
// table on a desktop and as cards on a 390 px phone.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failureScreenshot, login, newPage, testId, useServerAndBrowser } from './support.ts';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe('sales dashboard and targets', () => {
  const kehu = useServerAndBrowser();

  it('the dashboard opens the period picker on a click and its tables on scroll', {
    timeout: 180_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await page.goto('/login');
      await login(page, 'zhang.wei');
      await page.goto('/sales/dashboard');
      await testId(page, 'kpi-lead').waitFor();
      const range = testId(page, 'dash-range');
      assert.match((await range.textContent()) ?? '', /^\s*\d{4}-\d{2}-01 ~ \d{4}-\d{2}-01\s*$/);
      await range.click();
      await page.locator('.ant-picker-dropdown .ant-picker-panel').first().waitFor();
      await page.keyboard.press('Escape');

      const teams = page.locator('.ant-card', { hasText: '团队漏斗' }).last();
      await teams.scrollIntoViewIfNeeded();
      await teams.locator('tbody tr.ant-table-row').first().waitFor();
    } catch (e) {
      await failureScreenshot(page, 'sales-dashboard-failure.png');
      throw e;
    } finally {
      await context.close();
    }
  });

  it('targets: a table on a desktop, cards on a phone', { timeout: 180_000 }, async () => {
    for (const options of [{}, PHONE]) {
      const { context, page } = await newPage(kehu.browser, kehu.server, options);
      try {
        await page.goto('/login');
        await login(page, 'zhang.wei');
        await page.goto('/sales/targets');
        const list = testId(page, 'targets-table');
        const row = options === PHONE ? testId(page, 'data-card') : list.locator('tbody tr.ant-table-row');
        await row.first().waitFor();
        assert.ok((await row.count()) > 0, 'the demo gives 张伟 targets this month');
      } catch (e) {
        await failureScreenshot(page, 'sales-targets-failure.png');
        throw e;
      } finally {
        await context.close();
      }
    }
  });
});

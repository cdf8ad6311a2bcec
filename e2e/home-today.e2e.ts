// The home page as "my day" on the demo tenant, in zh-CN: 赵静 (销售顾问) on a 390×844 phone sees her
// leads by SLA urgency, her deals closing this month and her target gauge, with the object tiles
// folded and no keyboard hint; 张伟 (经销商店长) on a desktop sees the quote waiting for his approval
// and opens it in one tap, the team's SLA breaches and pipeline; 周晓燕 (客服专员) sees her objects.
// Screenshots go to test-results/home-today-*.png.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { failureScreenshot, login, newPage, screenshot, testId, useServerAndBrowser } from './support.ts';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function noSideScroll(page: Page) {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(over <= 1, `the page scrolls sideways by ${over}px`);
}

describe('home: my day', () => {
  const kehu = useServerAndBrowser();

  it("a salesperson's day on a phone", { timeout: 180_000 }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server, PHONE);
    try {
      await page.goto('/login');
      await login(page, 'zhao.jing');
      await page.goto('/');
      const today = testId(page, 'home-today');
      await today.waitFor();
      assert.equal(await today.getAttribute('data-role'), 'sales');
      const leads = testId(page, 'today-leads');
      await leads.waitFor();
      await testId(page, 'today-leads-buckets').waitFor();
      assert.ok((await leads.locator('.ant-list-item').count()) > 0, 'the demo gives 赵静 open leads');
      await testId(page, 'today-deals').waitFor();
      await testId(page, 'today-target-gauge').waitFor();
      await testId(page, 'today-followups').waitFor();
      await testId(page, 'today-quotes').waitFor();
      await testId(page, 'today-notifications').waitFor();
      assert.equal(await testId(page, 'today-approvals').count(), 0, 'a salesperson decides no approvals');
      assert.equal(await testId(page, 'home-search-hint').count(), 0, 'no keyboard hint on a phone');
      assert.equal(
        await testId(page, 'home-object-customer').isVisible(),
        false,
        'object tiles are folded on a phone',
      );
      await noSideScroll(page);
      await screenshot(page, 'home-today-zhao-390.png');

      await page.locator('[data-testid="home-objects"] .ant-collapse-header').click();
      await testId(page, 'home-object-customer').waitFor();

      await leads.locator('.ant-list-item a').first().click();
      await page.waitForURL(/\/leads\/inbox\/[0-9a-f-]{36}$/);
    } catch (e) {
      await failureScreenshot(page, 'home-today-zhao-failure.png');
      throw e;
    } finally {
      await context.close();
    }
  });

  it("a store manager's day on a desktop: one tap to the waiting approval", {
    timeout: 180_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await page.goto('/login');
      await login(page, 'zhang.wei');
      await page.goto('/');
      const today = testId(page, 'home-today');
      await today.waitFor();
      assert.equal(await today.getAttribute('data-role'), 'manager');
      const approvals = testId(page, 'today-approvals');
      await approvals.waitFor();
      await testId(page, 'today-team-sla').waitFor();
      await testId(page, 'today-pipeline-forecast').waitFor();
      await testId(page, 'home-search-hint').waitFor();
      await testId(page, 'home-object-customer').waitFor();
      await screenshot(page, 'home-today-zhang-desktop.png');

      await approvals.getByTestId('today-approve').first().click();
      await page.waitForURL(/\/sales\/approvals\?open=/);
      await page.locator('.ant-drawer-open').waitFor();
    } catch (e) {
      await failureScreenshot(page, 'home-today-zhang-failure.png');
      throw e;
    } finally {
      await context.close();
    }
  });

  it('service staff see what they can open, no sales cards', { timeout: 120_000 }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server, PHONE);
    try {
      await page.goto('/login');
      await login(page, 'zhou.xiaoyan');
      await page.goto('/');
      const today = testId(page, 'home-today');
      await today.waitFor();
      assert.equal(await today.getAttribute('data-role'), 'other');
      await testId(page, 'today-notifications').waitFor();
      await testId(page, 'home-object-customer').waitFor();
      for (const id of ['today-leads', 'today-deals', 'today-approvals', 'today-team-sla'])
        assert.equal(await testId(page, id).count(), 0, id);
      assert.equal(await page.locator('.ant-result-error, .ant-alert-error').count(), 0, 'no error boxes');
      await noSideScroll(page);
      await screenshot(page, 'home-today-zhou-390.png');
    } catch (e) {
      await failureScreenshot(page, 'home-today-zhou-failure.png');
      throw e;
    } finally {
      await context.close();
    }
  });
});

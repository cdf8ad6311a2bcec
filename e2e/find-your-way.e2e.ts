// Finding your way (issue 9 §1) on the demo tenant: the side navigation grouped by workspace
// (工作台 · 销售 · 客户 · 营销 · 服务 · 渠道 · 数据 · 设置) with a record page highlighting its list,
// the Ctrl/⌘-K search palette opening a customer, the keyboard in the menu, and a list's filter
// and search as chips kept in the URL (the back button undoes a removal). Desktop 1366×768 in
// zh-CN as the administrator, phone 390×844 in en-US as 赵静 (销售顾问).
// Screenshots go to test-results/find-your-way-*.png.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  eventually,
  failureScreenshot,
  login,
  newPage,
  screenshot,
  switchLanguage,
  testId,
  useServerAndBrowser,
} from './support.ts';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function firstCustomer(page: Page): Promise<{ id: string; name: string }> {
  const r = await page.request.get('/api/v1/records/customer?limit=1&sort=name');
  assert.equal(r.status(), 200);
  const c = (await r.json()).items[0];
  return { id: c.id, name: c.name };
}

const selectedNav = (page: Page) =>
  page.locator('[data-testid="side-nav"] li.ant-menu-item-selected [data-testid]');

describe('find your way', () => {
  const kehu = useServerAndBrowser();

  it('desktop: grouped navigation, Ctrl-K opens a customer, chips in the URL', {
    timeout: 240_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server, {
      viewport: { width: 1366, height: 768 },
    });
    try {
      await page.goto('/login');
      await login(page, 'admin');
      const nav = testId(page, 'side-nav');
      await nav.waitFor();
      assert.equal(
        await nav.getAttribute('data-groups'),
        'workspace sales customers marketing service channels data settings',
        'the groups an administrator uses, in the one order; groups with nothing are hidden',
      );
      assert.equal(await testId(page, 'nav-group-sales').textContent(), '销售');
      const height = await nav.evaluate((el) => el.scrollHeight);
      assert.ok(height <= 768 - 64, `the menu fits a 768 px screen (${height}px)`);
      // Administration sits under 设置 with the setup pages, not among daily work.
      await testId(page, 'nav-group-settings').click();
      await testId(page, 'nav-admin-users').waitFor();
      await testId(page, 'nav-module-leads-settings').waitFor();
      await screenshot(page, 'find-your-way-nav-1366.png');

      // Ctrl-K → type a customer's name → Enter opens the customer; 客户 is highlighted.
      const customer = await firstCustomer(page);
      const input = testId(page, 'global-search-input');
      // The palette's code loads on first use; on a busy machine the first press may land while
      // the shell is still settling, so press again if nothing opened.
      await eventually(async () => {
        if (!(await input.isVisible())) await page.keyboard.press('Control+k');
        await input.waitFor({ timeout: 3_000 });
      });
      await eventually(async () => assert.ok(await input.evaluate((el) => el === document.activeElement)));
      await input.fill(customer.name);
      const hit = page.locator(
        `[data-testid="search-hit"][data-object="customer"][data-id="${customer.id}"]`,
      );
      await hit.waitFor();
      await eventually(async () => assert.equal(await hit.getAttribute('aria-selected'), 'true'));
      await screenshot(page, 'find-your-way-search-1366.png');
      await input.press('Enter');
      await page.waitForURL(new RegExp(`/o/customer/${customer.id}$`));
      await eventually(async () =>
        assert.equal(await selectedNav(page).getAttribute('data-testid'), 'nav-item-customer'),
      );

      // The menu by keyboard: into the menu, arrows, Enter.
      await page.goto('/');
      await nav.waitFor();
      await testId(page, 'nav-item-home').waitFor();
      // The menu may still be settling (modules' entries arrive after the shell): try again until
      // the keys land on an entry rather than a group header.
      await eventually(async () => {
        await nav.focus();
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        await page.waitForURL((u) => u.pathname !== '/', { timeout: 2_000 });
      });
      assert.notEqual(new URL(page.url()).pathname, '/', 'Enter opened a page');

      // Filter and search as chips in the URL; removing a chip is one step back.
      const filter = {
        and: [
          { field: 'kind', op: 'eq', value: 'person' },
          { field: 'level', op: 'in', value: ['A', 'B', 'C'] },
        ],
      };
      await page.goto(`/o/customer?filter=${encodeURIComponent(JSON.stringify(filter))}`);
      const chips = testId(page, 'filter-chip');
      await eventually(async () => assert.equal(await chips.count(), 2));
      assert.match((await chips.first().textContent()) ?? '', /客户类型 等于 个人客户/);
      assert.match((await chips.nth(1).textContent()) ?? '', /客户等级 属于 A 重点、B 优质、C 普通/);
      await testId(page, 'search-input').fill(customer.name.slice(0, 1));
      await page.waitForURL(/[?&]q=/);
      await testId(page, 'chip-q').waitFor();
      await screenshot(page, 'find-your-way-chips-1366.png');
      await chips.first().locator('.ant-tag-close-icon').click();
      await eventually(async () => assert.equal(await chips.count(), 1));
      assert.ok(!decodeURIComponent(page.url()).includes('"kind"'), 'the removed condition left the URL');
      assert.ok(decodeURIComponent(page.url()).includes('"level"'));
      await page.goBack();
      await eventually(async () => assert.equal(await chips.count(), 2, 'back brings the chip back'));
      assert.ok(decodeURIComponent(page.url()).includes('"kind"'));
      // A shared link opens the same list.
      const shared = page.url();
      const other = await context.newPage();
      await other.goto(shared);
      await eventually(async () => assert.equal(await testId(other, 'filter-chip').count(), 2));
      await testId(other, 'chip-q').waitFor();
      await other.close();
    } catch (e) {
      await failureScreenshot(page, 'find-your-way-desktop-failure.png');
      throw e;
    } finally {
      await context.close();
    }
  });

  it('phone: the drawer shows the same groups, the search icon opens a customer', {
    timeout: 240_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server, { ...PHONE, locale: 'en-US' });
    try {
      await page.goto('/login');
      await login(page, 'zhao.jing');
      // Her saved language is zh-CN: once the shell has applied it, switch in the shell.
      await eventually(async () =>
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN'),
      );
      await switchLanguage(page, 'en-US');
      await eventually(async () =>
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'en-US'),
      );
      await testId(page, 'nav-toggle').click();
      const nav = testId(page, 'side-nav');
      await nav.waitFor();
      const groups = (await nav.getAttribute('data-groups'))!.split(' ');
      assert.deepEqual(groups.slice(0, 3), ['workspace', 'sales', 'customers']);
      // Her marketing group holds the scripts and mass messages she may use, no customer-data pages.
      assert.equal(
        await page.locator('[data-testid^="nav-item-cdp-"]').count(),
        0,
        'a salesperson without CDP rights sees no customer-data pages',
      );
      assert.equal(await testId(page, 'nav-group-customers').textContent(), 'Customers');
      assert.equal(await page.locator('[data-testid^="nav-admin-"]').count(), 0, 'no administration for her');
      await screenshot(page, 'find-your-way-drawer-390.png');
      await page.keyboard.press('Escape');
      await testId(page, 'nav-drawer').locator('.ant-drawer-content').waitFor({ state: 'hidden' });

      const customer = await firstCustomer(page);
      await testId(page, 'search-open').click();
      const input = testId(page, 'global-search-input');
      await input.fill(customer.name);
      const hit = page.locator(
        `[data-testid="search-hit"][data-object="customer"][data-id="${customer.id}"]`,
      );
      await hit.waitFor();
      await screenshot(page, 'find-your-way-search-390.png');
      await hit.click();
      await page.waitForURL(new RegExp(`/o/customer/${customer.id}$`));
      const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(over <= 1, `the page scrolls sideways by ${over}px`);
      await testId(page, 'nav-toggle').click();
      await eventually(async () =>
        assert.equal(await selectedNav(page).getAttribute('data-testid'), 'nav-item-customer'),
      );
    } catch (e) {
      await failureScreenshot(page, 'find-your-way-phone-failure.png');
      throw e;
    } finally {
      await context.close();
    }
  });
});

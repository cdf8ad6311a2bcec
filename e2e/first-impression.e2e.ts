// First impression (issue 9 §5 and §4 custom fields): the login page as a product page at 1366 and
// 390 px in zh-CN and en-US with the demo hint; a forgotten password reset end to end through the
// mail outbox (the e2e server has no SMTP, as a demo install); a custom field added by its Chinese
// label, named in pinyin, and put into the list columns in one click. Screenshots go to
// test-results/first-impression-*.png.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  apiLogin,
  DEMO_TENANT,
  failureScreenshot,
  login,
  newPage,
  screenshot,
  testId,
  UI_TIMEOUT,
  useServerAndBrowser,
} from './support.ts';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function noSideScroll(page: Page) {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(over <= 1, `the page scrolls sideways by ${over}px`);
}

describe('first impression', () => {
  const kehu = useServerAndBrowser();

  for (const [size, options] of [
    ['1366', {}],
    ['390', PHONE],
  ] as const) {
    it(`shows the brand, what Kehu does and the demo accounts at ${size} px in both languages`, {
      timeout: 120_000,
    }, async () => {
      const { context, page } = await newPage(kehu.browser, kehu.server, options);
      try {
        await page.goto('/login');
        await testId(page, 'login-form').waitFor();
        await testId(page, 'login-hero').waitFor();
        assert.equal(await page.locator('.kehu-brand-mark').count(), 1, 'the SVG mark is drawn');
        assert.match((await testId(page, 'login-hero').textContent()) ?? '', /客户 Kehu/);
        await testId(page, 'demo-hint').waitFor();
        assert.match((await testId(page, 'demo-hint').textContent()) ?? '', /kehu-demo-2026/);
        await noSideScroll(page);
        // The form is on the first screen of a phone, not below the brand.
        const submit = await testId(page, 'login-submit').boundingBox();
        assert.ok(submit && submit.y + submit.height <= (options.viewport?.height ?? 900), 'sign-in in view');
        await screenshot(page, `first-impression-login-${size}-zh.png`);

        await testId(page, 'lang-link-en-US').click();
        await page.getByText('Sign in with your company code and account').waitFor();
        assert.match((await testId(page, 'login-hero').textContent()) ?? '', /Leads, deals, customer data/);
        assert.match((await testId(page, 'demo-hint').textContent()) ?? '', /Company code demo/);
        await noSideScroll(page);
        await screenshot(page, `first-impression-login-${size}-en.png`);

        // The demo hint fills the form; signing in works from it.
        await testId(page, 'demo-fill').click();
        assert.equal(await testId(page, 'login-login').inputValue(), 'admin');
        await testId(page, 'login-submit').click();
        await testId(page, 'user-menu').waitFor();
      } catch (e) {
        await failureScreenshot(page, `first-impression-login-${size}-failure.png`);
        throw e;
      } finally {
        await context.close();
      }
    });
  }

  it('resets a forgotten password with the link an admin finds in the outbox', {
    timeout: 180_000,
  }, async () => {
    const phone = await newPage(kehu.browser, kehu.server, PHONE);
    const desk = await newPage(kehu.browser, kehu.server);
    try {
      const { page } = phone;
      await page.goto('/login');
      await testId(page, 'forgot-link').click();
      await testId(page, 'forgot-form').waitFor();
      await testId(page, 'login-tenant').fill(DEMO_TENANT);
      await testId(page, 'login-login').fill('zhao.jing');
      await testId(page, 'forgot-submit').click();
      await testId(page, 'forgot-sent').waitFor();
      await screenshot(page, 'first-impression-forgot-390.png');

      // No SMTP on this install: the admin reads the mail in the outbox on the users page.
      await login(desk.page, 'admin');
      await desk.page.goto('/admin/users');
      await testId(desk.page, 'mail-outbox-open').click();
      const mail = testId(desk.page, 'outbox-mail').filter({ hasText: 'zhao.jing@demo.kehu' }).first();
      await mail.waitFor();
      await screenshot(desk.page, 'first-impression-outbox-1366.png');
      const text = (await mail.locator('[data-testid="outbox-mail-text"]').textContent()) ?? '';
      const link = text.match(/\/reset-password\?tenant=[a-z0-9-]+&token=\S+/)?.[0];
      assert.ok(link, 'the mail carries a reset link');

      await page.goto(link);
      await testId(page, 'reset-form').waitFor();
      await testId(page, 'reset-password').fill('Zhao-new-2026');
      await testId(page, 'reset-confirm').fill('Zhao-new-2026');
      await testId(page, 'reset-submit').click();
      await testId(page, 'reset-done').waitFor();
      await screenshot(page, 'first-impression-reset-done-390.png');
      // The link works once.
      await page.goto(link);
      await testId(page, 'reset-password').fill('Zhao-again-2026');
      await testId(page, 'reset-confirm').fill('Zhao-again-2026');
      await testId(page, 'reset-submit').click();
      await testId(page, 'reset-error').waitFor();
      await testId(page, 'reset-to-login').click();
      await login(page, 'zhao.jing', 'Zhao-new-2026');
      // Her inbox opens with the 30-day chart of her leads and their first-response SLA.
      await page.goto('/leads/inbox');
      await testId(page, 'inbox-chart-canvas').locator('canvas').waitFor();
      await noSideScroll(page);
      await screenshot(page, 'first-impression-inbox-chart-390.png', testId(page, 'inbox-chart'));
    } catch (e) {
      await failureScreenshot(phone.page, 'first-impression-reset-failure-390.png');
      await failureScreenshot(desk.page, 'first-impression-reset-failure-1366.png');
      throw e;
    } finally {
      await phone.context.close();
      await desk.context.close();
    }
  });

  it('adds a custom field by its Chinese label, named in pinyin, into the list columns in one click', {
    timeout: 180_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await login(page, 'admin');
      await page.goto('/admin/objects/customer');
      await testId(page, 'fields-table').waitFor();
      await testId(page, 'field-create').click();
      await testId(page, 'field-label-zh').fill('来源渠道');
      const apiName = testId(page, 'field-api-name')
        .locator('input')
        .or(page.locator('input[data-testid="field-api-name"]'));
      await page.waitForFunction(
        () =>
          (document.querySelector('input[data-testid="field-api-name"]') as HTMLInputElement | null)
            ?.value === 'laiyuan_qudao',
        undefined,
        { timeout: UI_TIMEOUT },
      );
      assert.equal(await apiName.first().inputValue(), 'laiyuan_qudao');
      await testId(page, 'field-add-to-list').click();
      await screenshot(page, 'first-impression-field-editor-1366.png', page.locator('.ant-modal-content'));
      await testId(page, 'save-button').click();
      await testId(page, 'field-editor').waitFor({ state: 'detached' });
      await page.locator('[data-testid="fields-table"] code', { hasText: 'c_laiyuan_qudao' }).waitFor();

      // A second field, added to the columns afterwards with the one-click action.
      await testId(page, 'field-create').click();
      await testId(page, 'field-label-zh').fill('重点行业');
      await page.waitForFunction(
        () =>
          (document.querySelector('input[data-testid="field-api-name"]') as HTMLInputElement | null)
            ?.value === 'zhongdian_hangye',
      );
      await testId(page, 'save-button').click();
      await testId(page, 'field-editor').waitFor({ state: 'detached' });
      const addColumn = testId(page, 'field-add-column-c_zhongdian_hangye');
      await addColumn.click();
      await addColumn.waitFor({ state: 'detached' });
      assert.equal(await testId(page, 'field-add-column-c_laiyuan_qudao').count(), 0, 'already a column');

      await page.goto('/o/customer');
      const header = page.locator('[data-testid="record-table"] thead');
      await header.getByText('来源渠道').waitFor();
      await header.getByText('重点行业').waitFor();
      await screenshot(page, 'first-impression-list-columns-1366.png');

      const api = await apiLogin(kehu.server.url, 'admin');
      const meta = await api.get<{ listColumns: string[] }>('/meta/objects/customer');
      assert.deepEqual(meta.listColumns.slice(-2), ['c_laiyuan_qudao', 'c_zhongdian_hangye']);
    } catch (e) {
      await failureScreenshot(page, 'first-impression-fields-failure.png');
      throw e;
    } finally {
      await context.close();
    }
  });
});

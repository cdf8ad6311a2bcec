// 企业微信扫码登录 on the demo (issue 9 §5), against the WeCom simulator running in this test process
// as the demo corp (the demo tenant binds it with an app secret and agent id, wecom.demo.ts): the login
// page offers the button, it leads to the simulator's web-login page, "scanning" as 赵静 lands signed
// in on the home page. A broken sign-in link lands on the login page with a message, in both languages.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  failureScreenshot,
  newPage,
  ROOT,
  resultsPath,
  screenshot,
  testId,
  useServerAndBrowser,
} from './support.ts';
import { startDemoWeCom } from './wecom-demo.ts';

// Before the server starts (it inherits the environment): the demo seed binds the corp to the simulator.
const { sim } = await startDemoWeCom(5);

describe('企业微信扫码登录 on the demo', () => {
  const kehu = useServerAndBrowser();

  it('login page → 企业微信扫码登录 → simulator → 赵静 → home, signed in', { timeout: 180_000 }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      await page.goto('/login');
      const button = testId(page, 'sign-in-method-wecom');
      await button.waitFor();
      assert.equal((await button.textContent())?.trim(), '企业微信扫码登录');
      await screenshot(page, 'wecom-sign-in-login-390.png');
      copyFileSync(
        resultsPath('wecom-sign-in-login-390.png'),
        join(ROOT, 'docs/screenshots/wecom-sign-in-login-390.png'),
      );
      await button.click();
      await page.waitForURL((u) => u.href.startsWith(`${sim.url}/wwlogin/sso/login`));
      await page.getByText('赵静').click();
      await testId(page, 'user-menu').waitFor();
      assert.equal(new URL(page.url()).pathname, '/');
      const me = await page.evaluate(async () => (await fetch('/api/v1/auth/me')).json());
      assert.equal(me.user.login, 'zhao.jing');
      assert.equal(me.tenant.slug, 'demo');
      await screenshot(page, 'wecom-sign-in-home-390.png');
    } catch (e) {
      await failureScreenshot(page, 'wecom-sign-in-failure.png');
      throw e;
    } finally {
      await context.close();
    }
  });

  it('a used or forged sign-in link lands on the login page with a message, zh-CN and en-US', {
    timeout: 120_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await page.goto(`/wecom/sso/callback?code=x&state=forged.state`);
      await page.waitForURL((u) => u.pathname === '/login');
      await testId(page, 'login-error').waitFor();
      assert.match((await testId(page, 'login-error').textContent()) ?? '', /登录链接无效或已被使用/);
      await screenshot(page, 'wecom-sign-in-error-zh-1366.png');
      // The message is a code translated on the page: switching the language translates it.
      await testId(page, 'lang-link-en-US').click();
      await page.getByText('The sign-in link is invalid or was already used').waitFor();
      await screenshot(page, 'wecom-sign-in-error-en-1366.png');
      // Using the form dismisses it.
      await testId(page, 'login-login').fill('admin');
      await testId(page, 'login-password').fill('wrong-password-1');
      await testId(page, 'login-submit').click();
      await page.getByText('The sign-in link is invalid or was already used').waitFor({ state: 'detached' });
    } catch (e) {
      await failureScreenshot(page, 'wecom-sign-in-error.png');
      throw e;
    } finally {
      await context.close();
    }
  });
});

// 在职继承 on the demo (issue 10): the transfers page pre-filtered on a staff member (as the
// disable-user prompt links it) lists their customers with WeCom's remaining transfers; one is moved
// to a colleague and shows under way. Desktop and phone screenshots.
import { describe, it } from 'node:test';
import {
  eventually,
  failureScreenshot,
  login,
  newPage,
  screenshot,
  testId,
  useServerAndBrowser,
} from './support.ts';
import { callBackTo, startDemoWeCom } from './wecom-demo.ts';

const { sim, demo } = await startDemoWeCom(5);

describe('WeCom in-service transfer page', () => {
  const kehu = useServerAndBrowser(async ({ server }) => {
    callBackTo(demo, server);
  });

  it('lists a member’s customers with transfers left, desktop and phone', { timeout: 240_000 }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await demo.corp.addFriendDirectly('sun.lei', demo.corp.wechatUser({ name: '转接客户甲' }));
      await sim.flushCallbacks();
      await page.goto('/login');
      await login(page, 'admin');
      await eventually(async () => {
        await page.goto('/wecom/transfers?handover=sun.lei');
        await testId(page, 'wecom-onjob')
          .locator('.ant-table-row', { hasText: '转接客户甲' })
          .waitFor({ timeout: 3000 });
      }, 60_000);
      await screenshot(page, 'wecom-transfers-desktop.png');
      await page.setViewportSize({ width: 390, height: 844 });
      await screenshot(page, 'wecom-transfers-phone.png');
    } catch (err) {
      await failureScreenshot(page, 'wecom-transfers-failure.png');
      throw err;
    } finally {
      await context.close();
    }
  });
});

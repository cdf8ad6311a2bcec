// Reconciliation in the browser (issue 10, reliability), against the WeCom simulator running in this
// test process as the demo corp: customers who were in WeCom before Kehu (no callbacks) appear after
// the admin presses 同步 on the groups page, which shows the run's progress and result; the corps page
// shows the last sync and the next nightly / hourly runs; the activity page pulls data on demand.
// Desktop 1366 px zh-CN as the admin, phone 390 px in en-US.
import { describe, it } from 'node:test';
import {
  failureScreenshot,
  login,
  newPage,
  screenshot,
  switchLanguage,
  testId,
  useServerAndBrowser,
} from './support.ts';
import { callBackTo, startDemoWeCom } from './wecom-demo.ts';

const { demo } = await startDemoWeCom(7);
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe('WeCom reconciliation in the browser', () => {
  const kehu = useServerAndBrowser(async ({ server }) => {
    callBackTo(demo, server);
  });

  it('同步 repairs customers WeCom never called back about; status on corps, pull on activity', {
    timeout: 240_000,
  }, async () => {
    demo.corp.seedContacts(12, ['sun.lei', 'zhao.jing'], '老客户');
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await page.goto('/login');
      await login(page, 'admin');
      await page.goto('/wecom/groups');
      const groups = testId(page, 'wecom-groups');
      await testId(groups, 'wecom-sync').first().click();
      await groups
        .getByText(/同步完成，新增 \d+ 位客户/)
        .first()
        .waitFor({ timeout: 60_000 });
      await screenshot(page, 'wecom-sync-groups.png');
      await page.goto('/wecom/contacts');
      await page.getByText('老客户1', { exact: true }).first().waitFor({ timeout: 30_000 });
      await page.goto('/wecom/corps');
      await page
        .getByText(/下次全量/)
        .first()
        .waitFor();
      await screenshot(page, 'wecom-sync-corps.png');
      await page.goto('/wecom/activity');
      await testId(page, 'activity-pull').first().click();
      await page
        .getByText(/已拉取 \d+ 名员工/)
        .first()
        .waitFor({ timeout: 60_000 });
      await screenshot(page, 'wecom-sync-activity.png');
    } catch (err) {
      await failureScreenshot(page, 'wecom-sync-failure.png');
      throw err;
    } finally {
      await context.close();
    }

    const phone = await newPage(kehu.browser, kehu.server, { ...PHONE, locale: 'en-US' });
    try {
      await phone.page.goto('/login');
      await login(phone.page, 'admin');
      await switchLanguage(phone.page, 'en-US');
      await phone.page.goto('/wecom/groups');
      await testId(phone.page, 'wecom-groups')
        .getByText(/Synced .*new customers/)
        .first()
        .waitFor();
      await screenshot(phone.page, 'wecom-sync-groups-phone-en.png');
      await phone.page.goto('/wecom/activity');
      await testId(phone.page, 'activity-pull').first().waitFor();
      await screenshot(phone.page, 'wecom-sync-activity-phone-en.png');
    } catch (err) {
      await failureScreenshot(phone.page, 'wecom-sync-phone-failure.png');
      throw err;
    } finally {
      await phone.context.close();
    }
  });
});

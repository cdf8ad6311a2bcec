// Customer groups and staff activity on the demo (issue 10, R11.3), against the WeCom simulator
// running in this test process as the demo corp: a known customer and a stranger are put into a group
// in WeCom; the groups page lists it, the group page links the known customer to their contact; the
// activity dashboard draws its charts. Desktop zh-CN as the admin, phone 390 px in en-US.
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

const { sim, demo } = await startDemoWeCom(5);
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe('WeCom customer groups', () => {
  const kehu = useServerAndBrowser(async ({ server }) => {
    callBackTo(demo, server);
  });

  it('group → members linked to their contact; activity charts; phone in English', {
    timeout: 240_000,
  }, async () => {
    const known = demo.corp.wechatUser({ name: '群成员甲', unionid: 'ou-grp-1' });
    await demo.corp.addFriendDirectly('sun.lei', known);
    await sim.flushCallbacks();
    const stranger = demo.corp.wechatUser({ name: '群成员乙' });
    await demo.corp.createGroup('sun.lei', 'E2E 车友群', [known, stranger]);
    await sim.flushCallbacks();

    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await page.goto('/login');
      await login(page, 'admin');
      await page.goto('/wecom/groups');
      const row = testId(page, 'wecom-groups').locator('.ant-table-row', { hasText: 'E2E 车友群' });
      for (let i = 0; i < 60 && !(await row.isVisible()); i++) {
        await page.reload();
        await testId(page, 'wecom-groups').waitFor();
        await row.waitFor({ timeout: 1000 }).catch(() => undefined);
      }
      await screenshot(page, 'wecom-groups.png');
      await row.getByRole('link', { name: 'E2E 车友群' }).click();
      const group = testId(page, 'wecom-group');
      await group.waitFor();
      for (let i = 0; i < 60 && !(await group.getByRole('link', { name: '群成员甲' }).isVisible()); i++) {
        await page.reload();
        await group.getByText('群成员乙').waitFor();
      }
      await group.locator('canvas').first().waitFor();
      await screenshot(page, 'wecom-group.png');
      await page.goto('/wecom/activity');
      await testId(page, 'wecom-activity').locator('canvas').first().waitFor();
      await testId(page, 'wecom-activity').getByText('孙磊').first().waitFor();
      await screenshot(page, 'wecom-activity.png');
    } catch (err) {
      await failureScreenshot(page, 'wecom-groups-failure.png');
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
      await testId(phone.page, 'wecom-groups').getByText('Customer groups').waitFor();
      await screenshot(phone.page, 'wecom-groups-phone-en.png');
      await testId(phone.page, 'wecom-groups').getByRole('link', { name: 'E2E 车友群' }).click();
      await testId(phone.page, 'wecom-group').getByText('Joins and leaves per day').waitFor();
      await testId(phone.page, 'wecom-group').locator('canvas').first().waitFor();
      await screenshot(phone.page, 'wecom-group-phone-en.png');
      await phone.page.goto('/wecom/activity');
      await testId(phone.page, 'wecom-activity').getByText('Staff activity').waitFor();
      await testId(phone.page, 'wecom-activity').locator('canvas').first().waitFor();
      await screenshot(phone.page, 'wecom-activity-phone-en.png');
    } catch (err) {
      await failureScreenshot(phone.page, 'wecom-groups-phone-failure.png');
      throw err;
    } finally {
      await phone.context.close();
    }
  });
});

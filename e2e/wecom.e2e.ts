// The channel-code story on the demo (issue 10), against the WeCom simulator running in this test
// process as the demo corp: the admin creates a channel code for an exhibition (state expo-e2e) with
// two staff and an auto-tag in the browser; a simulated WeChat user scans it; the welcome message
// lands in the simulator's chat; the contact shows on the WeCom contacts page with its contact, lead
// and profile links; the customer deletes the staff member and the page shows it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chooseOption,
  failureScreenshot,
  login,
  newPage,
  screenshot,
  testId,
  useServerAndBrowser,
} from './support.ts';
import { callBackTo, startDemoWeCom } from './wecom-demo.ts';

// Before the server starts (it inherits the environment): the demo seed binds the corp to the simulator.
const { sim, demo } = await startDemoWeCom(3);

describe('WeCom channel code story', () => {
  const kehu = useServerAndBrowser(async ({ server }) => {
    callBackTo(demo, server);
  });

  it('code → scan → welcome → contact with lead and profile → deleted alert', {
    timeout: 240_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await page.goto('/login');
      await login(page, 'admin');
      await page.goto('/wecom/codes');
      await testId(page, 'wecom-codes').waitFor();
      await testId(page, 'code-new').click();
      await testId(page, 'code-name').fill('2026 车展 E2E');
      await testId(page, 'code-state').fill('expo-e2e');
      const staff = page.locator('.ant-form-item').filter({ has: testId(page, 'code-staff') });
      await chooseOption(page, staff, '孙磊 (sun.lei)', '孙磊');
      await page.keyboard.press('Escape');
      await chooseOption(page, staff, '赵静 (zhao.jing)', '赵静');
      await page.keyboard.press('Escape');
      await testId(page, 'code-tags').locator('input').fill('车展意向');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Escape');
      await testId(page, 'code-welcome').fill('欢迎来到车展（E2E）');
      await testId(page, 'code-save').click();
      await testId(page, 'wecom-codes').locator('.ant-table-row', { hasText: '2026 车展 E2E' }).waitFor();

      const way = demo.corp.contactWays().find((w) => w.state === 'expo-e2e');
      assert.ok(way, 'the contact way exists in WeCom');
      assert.deepEqual([...way.user].sort(), ['sun.lei', 'zhao.jing']);
      const user = demo.corp.wechatUser({ name: '展会访客甲', unionid: 'ou-e2e-1' });
      const { external_userid: ext, userid } = await demo.corp.scan(way.qr_code, user);
      await sim.flushCallbacks();

      await page.goto('/wecom/contacts');
      const row = testId(page, 'wecom-contacts').locator('.ant-table-row', { hasText: '展会访客甲' });
      await row.waitFor({ timeout: 30_000 });
      await row.getByRole('link', { name: '档案' }).waitFor({ timeout: 30_000 });
      await row.getByRole('link', { name: '线索' }).waitFor();
      assert.ok(
        demo.corp.chat(userid, ext).some((m) => m.from === 'staff' && m.text === '欢迎来到车展（E2E）'),
        'the welcome message is in the chat',
      );
      await screenshot(page, 'wecom-contacts.png');

      await demo.corp.customerDeletesStaff(ext, userid);
      await sim.flushCallbacks();
      await page.getByText('已删除成员').first().click();
      await row.getByText('已删除成员').waitFor({ timeout: 30_000 });
    } catch (err) {
      await failureScreenshot(page, 'wecom-failure.png');
      throw err;
    } finally {
      await context.close();
    }
  });
});

// 获客链接 on the demo (issue 10) against the WeCom simulator as the demo corp: the admin creates a
// link, a WeChat user opens it (customer_channel comes back as State), the page counts the add;
// the quota runs low and the page shows WeCom's warning. Desktop zh-CN, phone 390 px in en-US.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiLogin,
  chooseOption,
  failureScreenshot,
  login,
  newPage,
  screenshot,
  switchLanguage,
  testId,
  useServerAndBrowser,
} from './support.ts';
import { callBackTo, startDemoWeCom } from './wecom-demo.ts';

const { sim, demo } = await startDemoWeCom(7);
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe('WeCom customer acquisition links', () => {
  const kehu = useServerAndBrowser(async ({ server }) => {
    callBackTo(demo, server);
  });

  it('link → open in WeChat → counted; quota low banner; phone in English', {
    timeout: 240_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await page.goto('/login');
      await login(page, 'admin');
      await page.goto('/wecom/acquisition-links');
      await testId(page, 'wecom-acquisition-links').waitFor();
      await screenshot(page, 'wecom-acquisition-empty.png');
      await testId(page, 'link-new').click();
      await testId(page, 'link-name').fill('抖音直播间 E2E');
      await testId(page, 'link-state').fill('douyin-e2e');
      const staff = page.locator('.ant-form-item').filter({ has: testId(page, 'link-staff') });
      await chooseOption(page, staff, '孙磊 (sun.lei)', '孙磊');
      await page.keyboard.press('Escape');
      await testId(page, 'link-save').click();
      const row = testId(page, 'wecom-acquisition-links').locator('.ant-table-row', {
        hasText: '抖音直播间 E2E',
      });
      await row.waitFor();
      const link = demo.corp.acquisitionLinks().find((l) => l.link_name === '抖音直播间 E2E');
      assert.ok(link, 'the link exists in WeCom');
      demo.corp.setAcquisitionQuota({ total: 1000, balance: 101, lowThreshold: 100 });
      await demo.corp.openAcquisitionLink(
        `${link.url}?customer_channel=douyin-e2e`,
        demo.corp.wechatUser({ name: '抖音访客甲' }),
      );
      await sim.flushCallbacks();
      const banner = testId(page, 'quota-balance_low');
      for (let i = 0; i < 60 && !(await banner.isVisible()); i++) {
        await page.reload();
        await testId(page, 'wecom-acquisition-links').waitFor();
        await banner.waitFor({ timeout: 1000 }).catch(() => undefined);
      }
      await row.locator('td', { hasText: /^1$/ }).first().waitFor();
      await screenshot(page, 'wecom-acquisition.png');
      await row.getByText('抖音直播间 E2E').click();
      await page.locator('.ant-drawer canvas').first().waitFor();
      await screenshot(page, 'wecom-acquisition-detail.png');
    } catch (err) {
      await failureScreenshot(page, 'wecom-acquisition-failure.png');
      throw err;
    } finally {
      await context.close();
    }

    const phone = await newPage(kehu.browser, kehu.server, { ...PHONE, locale: 'en-US' });
    try {
      await phone.page.goto('/login');
      await login(phone.page, 'admin');
      await switchLanguage(phone.page, 'en-US');
      await phone.page.goto('/wecom/acquisition-links');
      await testId(phone.page, 'wecom-acquisition-links').getByText('Customer acquisition links').waitFor();
      await testId(phone.page, 'quota-balance_low').waitFor();
      await screenshot(phone.page, 'wecom-acquisition-phone-en.png');
    } catch (err) {
      await failureScreenshot(phone.page, 'wecom-acquisition-phone-failure.png');
      throw err;
    } finally {
      await phone.context.close();
    }
  });

  it('群活码 → scan → counted; printable poster A4/A5; phone in English', { timeout: 240_000 }, async () => {
    const admin = await apiLogin(kehu.server.url, 'admin');
    const { chat_id } = await demo.corp.createGroup('sun.lei', 'E2E 试驾群', [
      demo.corp.wechatUser({ name: '老车主 E2E' }),
    ]);
    await sim.flushCallbacks();
    for (let i = 0; i < 100; i++) {
      const groups = await admin.get('/wecom/groups');
      if (groups.items.some((g: any) => g.chatId === chat_id)) break;
      await sim.flushCallbacks();
    }
    const corp = (await admin.get('/wecom/corps')).items[0];
    const code = await admin.post('/wecom/join-codes', {
      corpRef: corp.id,
      name: '试驾群活码 E2E',
      state: 'grp-e2e',
      chatIds: [chat_id],
      roomBaseName: 'E2E 试驾群',
      roomBaseId: 2,
    });
    await demo.corp.scanJoinWay(code.qrCode, demo.corp.wechatUser({ name: '扫码进群 E2E' }));
    await sim.flushCallbacks();
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await page.goto('/login');
      await login(page, 'admin');
      await page.goto('/wecom/join-codes');
      const row = testId(page, 'wecom-join-codes').locator('.ant-table-row', { hasText: '试驾群活码 E2E' });
      await row.waitFor();
      for (let i = 0; i < 60 && !(await row.locator('td', { hasText: /^1$/ }).first().isVisible()); i++) {
        await sim.flushCallbacks();
        await page.reload();
        await row.waitFor();
      }
      await screenshot(page, 'wecom-join-codes.png');
      await row.getByText('试驾群活码 E2E').click();
      await page.locator('.ant-drawer canvas').first().waitFor();
      await screenshot(page, 'wecom-join-code-detail.png');
      await page.goto(`/wecom/posters/join-code/${code.id}`);
      await testId(page, 'wecom-poster').locator('img').waitFor();
      await screenshot(page, 'wecom-poster-a4.png');
      await page.emulateMedia({ media: 'print' });
      await screenshot(page, 'wecom-poster-print.png');
    } catch (err) {
      await failureScreenshot(page, 'wecom-join-codes-failure.png');
      throw err;
    } finally {
      await context.close();
    }
    const phone = await newPage(kehu.browser, kehu.server, { ...PHONE, locale: 'en-US' });
    try {
      await phone.page.goto('/login');
      await login(phone.page, 'admin');
      await switchLanguage(phone.page, 'en-US');
      await phone.page.goto('/wecom/join-codes');
      await testId(phone.page, 'wecom-join-codes').getByText('Group join codes').first().waitFor();
      await screenshot(phone.page, 'wecom-join-codes-phone-en.png');
      await phone.page.goto(`/wecom/posters/join-code/${code.id}`);
      await testId(phone.page, 'wecom-poster').getByText('Scan to join the customer group').waitFor();
      await screenshot(phone.page, 'wecom-poster-phone-en.png');
    } catch (err) {
      await failureScreenshot(phone.page, 'wecom-join-codes-phone-failure.png');
      throw err;
    } finally {
      await phone.context.close();
    }
  });
});

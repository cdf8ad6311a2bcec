// 门店活码 on the demo (issue 10) against the WeCom simulator as the demo corp: the admin creates a
// store code with two stores in two cities (desktop, zh-CN); a customer opens the public landing
// page on a 390 px phone, picks a city and sees that store's QR, then lets the page find the
// nearest store by position; a scan of that QR adds the customer and the admin page counts it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  apiLogin,
  chooseOption,
  eventually,
  failureScreenshot,
  login,
  newPage,
  screenshot,
  switchLanguage,
  testId,
  useServerAndBrowser,
} from './support.ts';
import { callBackTo, startDemoWeCom } from './wecom-demo.ts';

const { sim, demo } = await startDemoWeCom(11);
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe('WeCom store codes (门店活码)', () => {
  const kehu = useServerAndBrowser(async ({ server }) => {
    callBackTo(demo, server);
  });

  it('admin creates a store code; phone: pick city → store QR, nearest store; the add is counted', {
    timeout: 240_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await page.goto('/login');
      await login(page, 'admin');
      await page.goto('/wecom/store-codes');
      await testId(page, 'wecom-store-codes').waitFor();
      await screenshot(page, 'wecom-store-codes-empty.png');
      await testId(page, 'store-code-new').click();
      await testId(page, 'store-code-name').fill('门店引流 E2E');
      await testId(page, 'store-code-state').fill('store-e2e');
      const item = (id: string) => page.locator('.ant-form-item').filter({ has: testId(page, id) });
      await chooseOption(page, item('store-unit-0'), '浦东张江店', '张江');
      await chooseOption(page, item('store-staff-0'), '孙磊 (sun.lei)', '孙磊');
      await page.keyboard.press('Escape');
      await testId(page, 'store-city-0').fill('上海');
      const row0 = testId(page, 'store-row-0');
      await row0.locator('input[id$="_lat"]').fill('31.2035');
      await row0.locator('input[id$="_lng"]').fill('121.5914');
      await testId(page, 'store-add').click();
      await chooseOption(page, item('store-unit-1'), '西湖文三路店', '文三');
      await chooseOption(page, item('store-staff-1'), '赵静 (zhao.jing)', '赵静');
      await page.keyboard.press('Escape');
      await testId(page, 'store-city-1').fill('杭州');
      // A welcome attachment from the material library (articles are not offered).
      await chooseOption(page, testId(page, 'code-attachments'), '浦东店地图导航', '地图');
      await page.keyboard.press('Escape');
      await screenshot(page, 'wecom-store-code-editor.png');
      await testId(page, 'store-save').click();
      const row = testId(page, 'wecom-store-codes').locator('.ant-table-row', { hasText: '门店引流 E2E' });
      await row.waitFor();
      const ways = demo.corp.contactWays().filter((w) => w.state?.startsWith('store-e2e-s'));
      assert.equal(ways.length, 2, 'one contact way per store in WeCom');
      await row.getByText('门店引流 E2E').click();
      await testId(page, 'store-code-detail').waitFor();
      await screenshot(page, 'wecom-store-code-detail.png');
    } catch (err) {
      await failureScreenshot(page, 'wecom-store-codes-failure.png');
      throw err;
    } finally {
      await context.close();
    }

    const admin = await apiLogin(kehu.server.url, 'admin');
    const code = (await admin.get('/wecom/store-codes')).items.find((c: any) => c.name === '门店引流 E2E');
    assert.deepEqual(
      code.welcomeAttachments.map((w: any) => w.title),
      ['浦东店地图导航'],
      'the picked material is saved with the welcome message',
    );
    const landing = new URL(code.landingUrl);
    // The customer's phone: no sign-in, 390 px, near 张江 (Shanghai).
    const phone = await newPage(kehu.browser, kehu.server, {
      ...PHONE,
      geolocation: { latitude: 31.21, longitude: 121.6 },
      permissions: ['geolocation'],
    });
    try {
      await phone.page.goto(`${landing.pathname}`);
      await testId(phone.page, 'store-landing').waitFor();
      await phone.page.selectOption('[data-testid="store-city"]', '杭州');
      await testId(phone.page, 'store-list').getByText('西湖文三路店').waitFor();
      assert.equal(await testId(phone.page, 'store-list').getByText('浦东张江店').count(), 0);
      const qr = testId(phone.page, 'store-qr');
      await qr.waitFor();
      await phone.page.waitForFunction(
        () => (document.querySelector('[data-testid="store-qr"]') as HTMLImageElement | null)?.naturalWidth,
      );
      const html = await phone.page.content();
      for (const secret of ['门店引流 E2E', 'store-e2e', 'zhao.jing', 'sun.lei'])
        assert.ok(!html.includes(secret), `the public page leaks ${secret}`);
      await screenshot(phone.page, 'wecom-store-landing-phone.png');
      await testId(phone.page, 'store-nearest').click();
      await phone.page.waitForURL(/\?store=1$/);
      await testId(phone.page, 'store-qr-box').getByText('浦东张江店').waitFor();
      await screenshot(phone.page, 'wecom-store-landing-nearest-phone.png');
    } catch (err) {
      await failureScreenshot(phone.page, 'wecom-store-landing-failure.png');
      throw err;
    } finally {
      await phone.context.close();
    }

    // The customer scans 张江's QR: counted for that store on the admin page (phone, English).
    const zj = demo.corp.contactWays().find((w) => w.state === 'store-e2e-s1')!;
    await demo.corp.scan(zj.qr_code!, demo.corp.wechatUser({ name: '门店访客 E2E' }));
    await sim.flushCallbacks();
    const adminPhone = await newPage(kehu.browser, kehu.server, { ...PHONE, locale: 'en-US' });
    try {
      await adminPhone.page.goto('/login');
      await login(adminPhone.page, 'admin');
      await switchLanguage(adminPhone.page, 'en-US');
      await adminPhone.page.goto('/wecom/store-codes');
      await testId(adminPhone.page, 'wecom-store-codes').getByText('Store codes').first().waitFor();
      const row = testId(adminPhone.page, 'wecom-store-codes').locator('.ant-table-row', {
        hasText: '门店引流 E2E',
      });
      for (let i = 0; i < 60 && !(await row.locator('td', { hasText: /^1$/ }).count()); i++) {
        await sim.flushCallbacks();
        await adminPhone.page.reload();
        await row.waitFor();
      }
      await row.getByText('门店引流 E2E').click();
      const stores = testId(adminPhone.page, 'store-code-stores');
      await stores.locator('.ant-table-row', { hasText: '浦东张江店' }).waitFor();
      await screenshot(adminPhone.page, 'wecom-store-code-detail-phone-en.png');
    } catch (err) {
      await failureScreenshot(adminPhone.page, 'wecom-store-codes-phone-failure.png');
      throw err;
    } finally {
      await adminPhone.context.close();
    }
  });

  it('remark form: WeCom limits per field, saved to WeCom, a concurrent edit → 409 with reload', {
    timeout: 180_000,
  }, async () => {
    const admin = await apiLogin(kehu.server.url, 'admin');
    const c = (await admin.get('/wecom/contacts')).items.find((x: any) => x.name === '门店访客 E2E');
    assert.ok(c, 'the customer added in the first test');
    const { context, page } = await newPage(kehu.browser, kehu.server, PHONE);
    try {
      await page.goto('/login');
      await login(page, 'admin');
      await page.goto('/wecom/contacts');
      const row = testId(page, 'wecom-contacts').locator('.ant-table-row', { hasText: '门店访客 E2E' });
      await row.locator('[data-testid="contact-remark"]').click();
      await testId(page, 'remark-form').waitFor();
      await testId(page, 'remark-remark').fill('这是一个明显超过二十个字的备注名称用于测试');
      await testId(page, 'remark-save').click();
      await page.locator('.ant-form-item-explain-error', { hasText: '20' }).waitFor();
      await screenshot(page, 'wecom-remark-form-errors-phone.png');
      await testId(page, 'remark-remark').fill('张江王总');
      await testId(page, 'remark-company').fill('张江科技');
      // Someone else saves meanwhile (the form read version 0).
      await admin.put('/wecom/contact-remarks', {
        corpRef: c.corpRef,
        externalUserid: c.externalUserid,
        userid: c.userid,
        remark: '别人改的',
        version: 0,
      });
      await testId(page, 'remark-save').click();
      await testId(page, 'remark-stale').waitFor();
      await screenshot(page, 'wecom-remark-form-stale-phone.png');
      await testId(page, 'remark-stale').getByRole('button').click();
      await eventually(async () =>
        assert.equal(await testId(page, 'remark-remark').inputValue(), '别人改的'),
      );
      await testId(page, 'remark-remark').fill('张江王总');
      await testId(page, 'remark-company').fill('张江科技');
      await testId(page, 'remark-save').click();
      await testId(page, 'remark-form').waitFor({ state: 'detached' });
      const mine = demo.corp.state.contacts.get(c.externalUserid)!.follows.get(c.userid)!;
      assert.equal(mine.remark, '张江王总');
      assert.equal(mine.remark_corp_name, '张江科技');
    } catch (err) {
      await failureScreenshot(page, 'wecom-remark-form-failure.png');
      throw err;
    } finally {
      await context.close();
    }
  });
});

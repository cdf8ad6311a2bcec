// 名片 and 裂变 on the demo (issue 11), against the WeCom simulator as the demo corp. A salesperson
// opens their card editor on a 390 px phone and makes their add-me code; a visitor opens the public
// card → the salesperson gets the real-time alert. A fission campaign: a customer joins on a phone,
// two friends add the staff member through the participant's code → 2/2 and the reward; a third
// friend deletes within 24 h and does not count. The funnel report at 1366 px and 390 px.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  apiLogin,
  eventually,
  failureScreenshot,
  type KehuServer,
  launchBrowser,
  login,
  newPage,
  screenshot,
  startServer,
  testId,
} from './support.ts';
import { callBackTo, startDemoWeCom } from './wecom-demo.ts';

const { sim, demo } = await startDemoWeCom(11);
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.47';
const today = () => new Date().toISOString().slice(0, 10);

describe('名片 and 裂变', () => {
  // The demo seed may take long on a busy machine: a longer start-up allowance than the shared helper's.
  const kehu = {} as { server: KehuServer; browser: Browser };
  before(async () => {
    kehu.server = await startServer({ readyTimeoutMs: 420_000 });
    kehu.browser = await launchBrowser();
    callBackTo(demo, kehu.server);
  });
  after(async () => {
    await kehu.browser?.close();
    await kehu.server?.stop();
  });
  const local = (url: string) => kehu.server.url + new URL(url).pathname;

  it('a visitor opens the salesperson’s card → the salesperson sees the alert on their phone', {
    timeout: 240_000,
  }, async () => {
    const staff = await newPage(kehu.browser, kehu.server, PHONE);
    const visitor = await newPage(kehu.browser, kehu.server, { ...PHONE, userAgent: WECHAT_UA });
    try {
      await staff.page.goto('/login');
      await login(staff.page, 'sun.lei');
      await staff.page.goto('/cards/me');
      await testId(staff.page, 'card-editor').waitFor();
      // The demo gives every staff member a card with its add-me code; make it only where missing.
      await testId(staff.page, 'card-code-create')
        .or(testId(staff.page, 'card-code-ready'))
        .first()
        .waitFor();
      if (await testId(staff.page, 'card-code-create').isVisible())
        await testId(staff.page, 'card-code-create').click();
      await testId(staff.page, 'card-code-ready').waitFor();
      await staff.page.locator('input#title').fill('高级销售顾问');
      await testId(staff.page, 'card-save').click();
      await staff.page.getByText('名片已保存').waitFor();
      await screenshot(staff.page, 'card-editor-phone.png');
      const url = await testId(staff.page, 'card-open').getAttribute('href');
      assert.ok(url);
      await visitor.page.goto(local(url!));
      await testId(visitor.page, 'card-name').getByText('孙磊').waitFor();
      await testId(visitor.page, 'card-qr').waitFor();
      await eventually(async () => {
        const ok = await testId(visitor.page, 'card-qr').evaluate(
          (img: HTMLImageElement) => img.naturalWidth > 0,
        );
        assert.ok(ok, 'the QR image loads');
      });
      await screenshot(visitor.page, 'card-public-phone.png');
      await testId(staff.page, 'notification-toast').getByText('有人正在看你的名片').first().waitFor();
      await screenshot(staff.page, 'card-alert-phone.png');
    } catch (err) {
      await failureScreenshot(staff.page, 'card-failure.png');
      await failureScreenshot(visitor.page, 'card-visitor-failure.png');
      throw err;
    } finally {
      await staff.context.close();
      await visitor.context.close();
    }
  });

  it('a participant’s two friends add → 2/2 and the reward; a friend who deletes within 24 h does not count', {
    timeout: 300_000,
  }, async () => {
    const admin = await apiLogin(kehu.server.url, 'admin');
    const corp = (await admin.get('/wecom/corps')).items[0];
    const campaign = await admin.post('/fission/campaigns', {
      name: 'E2E 老带新',
      startsOn: today(),
      endsOn: '2099-12-31',
      corpRef: corp.id,
      staff: ['sun.lei'],
      inviteTarget: 2,
      rewardType: 'gift',
      rewardText: '精美车模一台',
      budget: 2000,
      rewardCost: 80,
    });
    const part = await newPage(kehu.browser, kehu.server, { ...PHONE, userAgent: WECHAT_UA });
    const desk = await newPage(kehu.browser, kehu.server);
    try {
      await part.page.goto(local(campaign.joinUrl));
      await testId(part.page, 'fission-name').waitFor();
      await screenshot(part.page, 'fission-join-phone.png');
      await part.page.locator('input[name="name"]').fill('小美');
      await testId(part.page, 'fission-join').locator('button').click();
      await testId(part.page, 'fission-progress').waitFor();
      await testId(part.page, 'fission-done').getByText('0').waitFor();
      const code = (await admin.get('/wecom/codes')).items.find((c: any) => c.name.includes('小美'));
      assert.ok(code?.qrCode, 'the participant’s personal code');
      await demo.corp.scan(code.qrCode, demo.corp.wechatUser({ name: '裂变好友甲' }));
      await demo.corp.scan(code.qrCode, demo.corp.wechatUser({ name: '裂变好友乙' }));
      const quitter = await demo.corp.scan(code.qrCode, demo.corp.wechatUser({ name: '裂变好友丙' }));
      await demo.corp.customerDeletesStaff(quitter.external_userid, quitter.userid);
      await sim.flushCallbacks();
      // The progress page polls: 2/2 and the reward appear without a reload.
      await testId(part.page, 'fission-done').getByText('2').waitFor({ timeout: 60_000 });
      await testId(part.page, 'fission-reward').waitFor({ state: 'visible', timeout: 30_000 });
      await part.page
        .locator('[data-testid="fission-poster"]')
        .evaluate((img: HTMLImageElement) => img.decode());
      await screenshot(part.page, 'fission-progress-phone.png');
      await eventually(async () => {
        await sim.flushCallbacks();
        const f = await admin.get(`/fission/campaigns/${campaign.id}/report`);
        assert.equal(f.voided, 1, 'the friend who deleted within 24 h');
        assert.equal(f.newCustomers, 2);
        assert.equal(f.rewards, 1);
      }, 60_000);

      await desk.page.goto('/login');
      await login(desk.page, 'admin');
      await desk.page.goto('/fission');
      await testId(desk.page, 'fission-campaigns').getByText('E2E 老带新').waitFor();
      await screenshot(desk.page, 'fission-list.png');
      await testId(desk.page, 'fission-new').click();
      await testId(desk.page, 'fission-form').waitFor();
      await screenshot(desk.page, 'fission-form.png');
      await desk.page.keyboard.press('Escape');
      await desk.page.goto(`/fission/${campaign.id}`);
      await testId(desk.page, 'fission-funnel-chart').locator('canvas').waitFor();
      await testId(desk.page, 'fission-stat-newCustomers').getByText('2').waitFor();
      await screenshot(desk.page, 'fission-report.png');
    } catch (err) {
      await failureScreenshot(part.page, 'fission-phone-failure.png');
      await failureScreenshot(desk.page, 'fission-failure.png');
      throw err;
    } finally {
      await part.context.close();
      await desk.context.close();
    }

    const phone = await newPage(kehu.browser, kehu.server, PHONE);
    try {
      await phone.page.goto('/login');
      await login(phone.page, 'admin');
      await phone.page.goto(`/fission/${campaign.id}`);
      await testId(phone.page, 'fission-funnel-chart').locator('canvas').waitFor();
      await screenshot(phone.page, 'fission-report-phone.png');
    } finally {
      await phone.context.close();
    }
  });
});

// 会员卡 H5 and the points mall (issue 13): a customer opens the member card on a 390 px phone, signs
// in with the SMS code (the tenant's SMS account is the Aliyun Dysms simulator: the code is read off the
// "phone" there, as the customer would), sees the
// points a clerk gave them, and redeems a coupon. Then the admin pages at 1366 px and 390 px.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_SMS, type SmsSimulator, startSmsSimulator } from '@kehu/sms-simulator';
import type { Browser } from 'playwright-core';
import { allowOutboundHost } from '../apps/server/src/testing/outbound-allow.ts';
import {
  type ApiSession,
  apiLogin,
  eventually,
  failureScreenshot,
  type KehuServer,
  launchBrowser,
  login,
  newPage,
  resultsPath,
  screenshot,
  startServer,
  testId,
} from './support.ts';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe('member card and points mall', () => {
  const kehu = {} as { server: KehuServer; browser: Browser };
  let admin: ApiSession;
  let cardPath = '';
  let sms: SmsSimulator;
  before(async () => {
    sms = await startSmsSimulator();
    sms.addAccount({
      accessKeyId: DEMO_SMS.accessKeyId,
      accessKeySecret: DEMO_SMS.accessKeySecret,
      signNames: [DEMO_SMS.signName],
      templates: { ...DEMO_SMS.templates },
    });
    // The server inherits this: the simulator on 127.0.0.1 is the one internal host it may call.
    allowOutboundHost(new URL(sms.url).host);
    kehu.server = await startServer({ readyTimeoutMs: 420_000 });
    kehu.browser = await launchBrowser();
    admin = await apiLogin(kehu.server.url, 'admin');
    await admin.put('/messaging/sms-account', {
      endpoint: sms.url,
      accessKeyId: DEMO_SMS.accessKeyId,
      accessKeySecret: DEMO_SMS.accessKeySecret,
      signName: DEMO_SMS.signName,
      textTemplate: 'SMS_DEMO_SERVICE',
    });
    let program = (await admin.get('/loyalty/programs')).items[0];
    program ??= await admin.post('/loyalty/programs', {
      name: '臻享会员',
      pointsPerYuan: 1,
      expiryDays: 365,
      tiers: [
        { name: '银卡', threshold: 0 },
        { name: '金卡', threshold: 1000 },
      ],
    });
    const s = await admin.get('/member-mall/settings');
    const saved = await admin.patch('/member-mall/settings', { programId: program.id, version: s.version });
    cardPath = new URL(saved.cardUrl).pathname;
    let tpl = (await admin.get('/coupon-templates')).items[0];
    tpl ??= await admin.post('/coupon-templates', {
      name: '满200减30',
      kind: 'amount_off',
      thresholdMinor: 20000,
      amountMinor: 3000,
      validity: 'relative',
      validDays: 30,
      perProfileLimit: 10,
    });
    await admin.post('/member-mall/rewards', {
      name: 'E2E 兑换券',
      kind: 'coupon',
      pointsCost: 100,
      couponTemplateId: tpl.id,
      sort: 0,
    });
  });
  after(async () => {
    await kehu.browser?.close();
    await kehu.server?.stop();
    await sms?.close();
  });

  it('signs in by SMS code at 390 px, shows points, redeems a coupon', { timeout: 240_000 }, async () => {
    const { page } = await newPage(kehu.browser, kehu.server, PHONE);
    const phone = `139${String(Date.now()).slice(-8)}`;
    try {
      await page.goto(cardPath);
      await testId(page, 'card-phone').fill(phone);
      await testId(page, 'card-send-code').click();
      await page.getByText('验证码已发送').waitFor();
      let code = '';
      await eventually(async () => {
        const m = sms.messagesTo(phone).find((x) => /\d{6}/.test(x.content));
        assert.ok(m, 'the code SMS reached the phone');
        code = /(\d{6})/.exec(m.content)![1]!;
      }, 30_000);
      // Staff never see the code: the message log shows the SMS without it.
      const log = await admin.get('/messaging/messages?channel=sms&limit=20');
      assert.ok(!JSON.stringify(log).includes(code), 'the code is not in the message log');
      await testId(page, 'card-code').fill(code);
      await screenshot(page, 'member-card-signin-phone.png');
      await testId(page, 'card-submit').click();
      await testId(page, 'card-member').waitFor();
      assert.equal(await testId(page, 'card-points').textContent(), '0');
      // A clerk gives the new member points (a manual adjustment), the card shows them.
      const members = await admin.get(`/loyalty/members?q=${phone}&limit=5`);
      const member = members.items[0];
      assert.ok(member, 'enrolled by signing in');
      await admin.post(`/loyalty/members/${member.id}/adjustments`, {
        points: 150,
        reason: '开卡礼',
        idempotencyKey: `e2e-${phone}`,
      });
      await page.reload();
      assert.equal(await testId(page, 'card-points').textContent(), '150');
      const reward = testId(page, 'card-reward').filter({ hasText: 'E2E 兑换券' });
      await reward.locator('[data-testid="card-redeem"]').click();
      await reward.getByText('兑换成功').waitFor();
      await page.waitForLoadState('load');
      await eventually(async () => assert.equal(await testId(page, 'card-points').textContent(), '50'));
      await testId(page, 'card-coupon').first().waitFor();
      await screenshot(page, 'member-card-phone.png');
      // Something is wrong with the car: a ticket from the card, its number shown at once.
      await testId(page, 'card-ticket').locator('summary').click();
      await testId(page, 'card-ticket-text').fill('保养后仪表盘一直亮故障灯，请尽快安排检查');
      await testId(page, 'card-ticket-submit').click();
      await page.getByText(/已提交，工单号 \S+/).waitFor();
      await testId(page, 'card-ticket').screenshot({ path: resultsPath('member-card-ticket-phone.png') });
    } catch (e) {
      await failureScreenshot(page, 'member-card-failure.png');
      throw e;
    }
  });

  it('shows the mall, redemptions and member analytics to the admin (1366 px and 390 px)', {
    timeout: 180_000,
  }, async () => {
    for (const [size, opts] of [
      ['desktop', {}],
      ['phone', PHONE],
    ] as const) {
      const { page } = await newPage(kehu.browser, kehu.server, opts);
      try {
        await page.goto('/login');
        await login(page, 'admin');
        for (const [path, id] of [
          ['/member-mall', 'mall-rewards'],
          ['/member-mall/redemptions', 'mall-redemptions'],
          ['/member-mall/analytics', 'member-analytics'],
        ] as const) {
          await page.goto(path);
          await testId(page, id).waitFor();
          await page.waitForTimeout(500);
          await screenshot(page, `${id}-${size}.png`);
        }
        await page.goto('/member-mall/redemptions');
        await page.getByText('E2E 兑换券').first().waitFor();
      } catch (e) {
        await failureScreenshot(page, `member-mall-${size}-failure.png`);
        throw e;
      }
    }
  });
});

// Issue 13's browser story, end to end on the demo (zh-CN): a member signs in to the member card on a
// 390 px phone (SMS code from the Dysms simulator), an order is paid and the points arrive with the
// rule that made them, the member reaches the next tier, redeems a coupon in the mall, part of the
// order is refunded and those points are taken back — all on the card. From the card the member files
// a ticket; the desk assigns it and sees its SLA clock in business hours; the technician checks in
// with GPS on a phone and completes the visit (the ticket closes); the return-visit survey arrives and
// a low score reopens the ticket as a complaint.
// The desk's own steps that are not what this story looks at (orders and payments, which come from
// the order system; dispatching the visit) are API calls; everything the member, the desk and the
// technician do is in the browser.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_SMS, type SmsSimulator, startSmsSimulator } from '@kehu/sms-simulator';
import type { Browser, Page } from 'playwright-core';
import { allowOutboundHost } from '../apps/server/src/testing/outbound-allow.ts';
import {
  type ApiSession,
  apiLogin,
  chooseOption,
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

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const CN = 8 * 3600_000;
const inDays = (n: number) => new Date(Date.now() + CN + n * 86_400_000).toISOString().slice(0, 10);
const cny = (yuan: number) => ({ amount: yuan * 100, currency: 'CNY' });

describe('loyalty and service story', () => {
  const kehu = {} as { server: KehuServer; browser: Browser };
  let admin: ApiSession;
  let sms: SmsSimulator;
  let restoreOutbound: () => void = () => {};
  let cardPath = '';
  before(async () => {
    sms = await startSmsSimulator();
    sms.addAccount({
      accessKeyId: DEMO_SMS.accessKeyId,
      accessKeySecret: DEMO_SMS.accessKeySecret,
      signNames: [DEMO_SMS.signName],
      templates: { ...DEMO_SMS.templates },
    });
    // The server inherits this: the simulator on 127.0.0.1 is the one internal host it may call.
    restoreOutbound = allowOutboundHost(new URL(sms.url).host);
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
    const program = (await admin.get('/loyalty/programs')).items[0];
    assert.ok(program, 'the demo runs a loyalty program');
    const s = await admin.get('/member-mall/settings');
    const saved = await admin.patch('/member-mall/settings', { programId: program.id, version: s.version });
    cardPath = new URL(saved.cardUrl).pathname;
    const tpl =
      (await admin.get('/coupon-templates')).items[0] ??
      (await admin.post('/coupon-templates', {
        name: '满200减30',
        kind: 'amount_off',
        thresholdMinor: 20000,
        amountMinor: 3000,
        validity: 'relative',
        validDays: 30,
        perProfileLimit: 10,
      }));
    await admin.post('/member-mall/rewards', {
      name: '故事兑换券',
      kind: 'coupon',
      pointsCost: 100,
      couponTemplateId: tpl.id,
      sort: 0,
    });
    // The return visit goes out as soon as the ticket closes (the demo waits 2 h).
    const ss = await admin.get('/surveys/settings');
    await admin.put('/surveys/settings', { ...ss, delayMinutes: 0 });
  });
  after(async () => {
    await kehu.browser?.close();
    await kehu.server?.stop();
    await sms?.close();
    restoreOutbound();
  });

  it('member card: order points with their rule, next tier, mall coupon, part refund; a ticket; SLA; visit; survey', {
    timeout: 120_000,
  }, async () => {
    const phone = `137${String(Date.now()).slice(-8)}`;
    const { page, context } = await newPage(kehu.browser, kehu.server, PHONE);
    let desk: Page | null = null;
    let tech: Page | null = null;
    try {
      // 1. The member signs in on the card with the code the SMS brought.
      await page.goto(cardPath);
      await testId(page, 'card-phone').fill(phone);
      await testId(page, 'card-send-code').click();
      let code = '';
      await eventually(async () => {
        const m = sms.messagesTo(phone).find((x) => /\d{6}/.test(x.content));
        assert.ok(m, 'the code SMS reached the phone');
        code = /(\d{6})/.exec(m.content)![1]!;
      }, 30_000);
      await testId(page, 'card-code').fill(code);
      await testId(page, 'card-submit').click();
      await testId(page, 'card-member').waitFor();
      const startTier = (await testId(page, 'card-tier').textContent())!.trim();
      const member = (await admin.get(`/loyalty/members?q=${phone}&limit=5`)).items[0];
      const detail = await admin.get(`/loyalty/members/${member.id}`);
      const next = detail.summary.nextTier;
      assert.ok(next, 'a new member has a tier to reach');

      // 2. The order system reports a customer with that phone, an order and a payment: enough to
      //    reach the next tier (the demo program earns 1 point per yuan), then a second payment.
      const customer = await admin.post('/records/customer', { name: '故事会员', kind: 'person', phone });
      const order = await admin.post('/records/order', {
        name: '保养套餐',
        customerId: customer.id,
        amount: cny(next.qualifyingNeeded + 500),
      });
      await admin.post('/records/payment', {
        orderId: order.id,
        amount: cny(next.qualifyingNeeded),
        paidAt: inDays(0),
      });
      const pay2 = await admin.post('/records/payment', {
        orderId: order.id,
        amount: cny(500),
        paidAt: inDays(0),
      });
      const earned = next.qualifyingNeeded + 500;
      await eventually(async () => {
        await page.reload();
        assert.equal(await testId(page, 'card-points').textContent(), String(earned));
      }, 60_000);
      const tier = (await testId(page, 'card-tier').textContent())!.trim();
      assert.equal(tier, next.name, `reached ${next.name} from ${startTier}`);
      const rule = testId(page, 'card-ledger-rule').first();
      assert.match((await rule.textContent())!, /500/, 'the rule that made the points is on the card');
      await screenshot(page, 'story-card-tier-390.png');

      // 3. A coupon from the mall.
      const reward = testId(page, 'card-reward').filter({ hasText: '故事兑换券' });
      await reward.locator('[data-testid="card-redeem"]').click();
      await reward.getByText('兑换成功').waitFor();
      await eventually(async () => {
        await page.reload();
        assert.equal(await testId(page, 'card-points').textContent(), String(earned - 100));
      });
      await testId(page, 'card-coupon').first().waitFor();

      // 4. The second payment is refunded: its 500 points are taken back, shown on the card.
      await admin.del(`/records/payment/${pay2.id}`);
      await eventually(async () => {
        await page.reload();
        assert.equal(await testId(page, 'card-points').textContent(), String(earned - 600));
      }, 60_000);
      await testId(page, 'card-ledger-line').filter({ hasText: '扣回' }).first().waitFor();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `card is ${width} px wide`);
      await screenshot(page, 'story-card-refund-390.png');

      // 5. Something is wrong with the car: a ticket from the card.
      await testId(page, 'card-ticket').locator('summary').click();
      await testId(page, 'card-ticket-text').fill('保养后空调不制冷，请安排上门检查');
      await testId(page, 'card-ticket-submit').click();
      const said = await page.getByText(/已提交，工单号 \S+/).textContent();
      const number = /工单号 (\S+?)，/.exec(said!)![1]!;

      // 6. The desk assigns it and sees the SLA clock, in business hours.
      const found = await admin.get(`/service/tickets?q=${number}&limit=5`);
      const ticket = found.items[0];
      assert.equal(ticket.number, number);
      ({ page: desk } = await newPage(kehu.browser, kehu.server));
      await login(desk, 'admin');
      await desk.goto(`/service/tickets/${ticket.id}`);
      await testId(desk, 'service-ticket-page').waitFor();
      if (!ticket.assigneeId) {
        await chooseOption(desk, desk.locator('.ant-select[aria-label="转派"]'), '王建国', '王建国');
      }
      await eventually(async () =>
        assert.match((await testId(desk!, 'ticket-status').textContent())!, /已分派|处理中/),
      );
      const badge = testId(desk, 'sla-badge').first();
      assert.match((await badge.textContent())!, /剩|超时|已暂停/);
      await badge.hover();
      await desk.getByText('按工作时间计算').first().waitFor();
      await screenshot(desk, 'story-ticket-sla-1366.png');

      // 7. Dispatched to 周晓燕; she checks in with GPS on her phone and completes the visit.
      const techs = await admin.get('/field-service/technicians');
      const zhou = techs.items.find((x: any) => x.name === '周晓燕');
      // a free window of hers three days out (the demo's slots are today and tomorrow)
      await admin.post('/field-service/slots', {
        technicianId: zhou.userId,
        day: inDays(3),
        windows: [{ from: '10:00', to: '12:00' }],
        capacity: 1,
      });
      const job = await admin.post('/field-service/work-orders', {
        ticketId: ticket.id,
        skill: '空调',
        area: '上海浦东',
        address: '上海市浦东新区世纪大道 100 号',
        customerName: '故事会员',
        lat: 31.2397,
        lng: 121.4998,
        day: inDays(3),
      });
      assert.equal(job.technicianId, zhou.userId);
      const techCtx = await newPage(kehu.browser, kehu.server, {
        ...PHONE,
        permissions: ['geolocation'],
        geolocation: { latitude: 31.2399, longitude: 121.4998 },
      });
      tech = techCtx.page;
      await login(tech, 'zhou.xiaoyan');
      await tech.goto(`/field-service/jobs/${job.id}`);
      await testId(tech, 'fs-check-in').click();
      await eventually(async () =>
        assert.equal(await testId(tech!, 'fs-job-status').textContent(), '服务中'),
      );
      await testId(tech, 'fs-notes').fill('清洗冷凝器并补充冷媒，制冷恢复');
      const pad = testId(tech, 'fs-signature');
      await pad.scrollIntoViewIfNeeded();
      const b = (await pad.boundingBox())!;
      await tech.mouse.move(b.x + 30, b.y + 100);
      await tech.mouse.down();
      for (let i = 1; i <= 12; i++)
        await tech.mouse.move(b.x + 30 + i * 20, b.y + 100 - Math.sin(i / 2) * 40);
      await tech.mouse.up();
      const signer = tech.getByLabel('签字人');
      if (!(await signer.inputValue())) await signer.fill('故事会员');
      await screenshot(tech, 'story-technician-390.png');
      await testId(tech, 'fs-complete').click();
      await testId(tech, 'fs-job-completed').waitFor();
      await eventually(async () =>
        assert.equal((await admin.get(`/service/tickets/${ticket.id}`)).status, 'closed'),
      );

      // 8. The return visit arrives (the link of its invite); a low score reopens it as a complaint.
      let url = '';
      await eventually(async () => {
        const inv = (await admin.get('/surveys/invites')).items.find((x: any) => x.ticketId === ticket.id);
        assert.ok(inv?.url, 'the survey invite for the closed ticket');
        url = inv.url;
      }, 30_000);
      await page.goto(new URL(url).pathname);
      await testId(page, 'survey-form').waitFor();
      await page.locator('[data-testid="csat-1"] + span').click();
      await page.locator('#comment').fill('空调第二天又不制冷了');
      await testId(page, 'survey-submit').click();
      await testId(page, 'survey-thanks').waitFor();
      await screenshot(page, 'story-survey-390.png');
      await desk.reload();
      await eventually(async () =>
        assert.match((await testId(desk!, 'ticket-status').textContent())!, /重新打开|已分派/),
      );
      await desk.getByText('投诉').first().waitFor();
      await screenshot(desk, 'story-ticket-complaint-1366.png');
      const reopened = await admin.get(`/service/tickets/${ticket.id}`);
      assert.equal(reopened.kind, 'complaint');
      assert.equal(reopened.reopenCount, 1);
    } catch (e) {
      await failureScreenshot(page, 'story-failure-card.png');
      if (desk) await failureScreenshot(desk, 'story-failure-desk.png');
      if (tech) await failureScreenshot(tech, 'story-failure-tech.png');
      throw e;
    } finally {
      await context.close();
    }
  });
});

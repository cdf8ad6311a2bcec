// 消息触达 (issue 12) on the demo: the admin sets up email on the channel settings page (a local SMTP
// server, the `smtp-server` library, stands in for the company's mail server), sends an email template
// to a segment from the templates page and watches its progress; the mail arrives with a tracked link
// and one-click unsubscribe headers; the customer clicks the link (302 to the landing page, the log shows
// 已点击) and unsubscribes on a phone; the log page shows it all. Screenshots at 1366 and 390 px.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startSmtpReceiver } from '../apps/server/src/modules/messaging/test-kit.ts';
import { allowOutboundHost } from '../apps/server/src/testing/outbound-allow.ts';
import {
  apiLogin,
  chooseOption,
  eventually,
  failureScreenshot,
  type KehuServer,
  launchBrowser,
  login,
  newPage,
  postWithWriteKey,
  screenshot,
  startServer,
  testId,
} from './support.ts';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe('消息触达 (messaging): email to a segment, tracked click, unsubscribe', () => {
  const kehu = {} as { server: KehuServer; browser: Browser };
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let restoreAllow = () => {};
  before(async () => {
    smtp = await startSmtpReceiver();
    // The server process inherits this: the local SMTP server is the operator's, allowed by name.
    restoreAllow = allowOutboundHost(`127.0.0.1:${smtp.port}`);
    kehu.server = await startServer({ readyTimeoutMs: 600_000 });
    kehu.browser = await launchBrowser();
  });
  after(async () => {
    await kehu.browser?.close();
    await kehu.server?.stop();
    await smtp?.close();
    restoreAllow();
  });

  it('configures email, sends a template to a segment, the mail arrives, the click and the unsubscribe are recorded', {
    timeout: 900_000,
  }, async () => {
    const { server, browser } = kehu;
    const api = await apiLogin(server.url, 'admin');
    // Two customers with email addresses in a segment of their own.
    const stamp = Date.now().toString(36);
    const src = await api.post('/cdp/sources', { name: `E2E mail ${stamp}`, kind: 'web' });
    const people = [
      { id: `m1-${stamp}`, name: '王先生', email: `wang-${stamp}@example.com` },
      { id: `m2-${stamp}`, name: '李女士', email: `li-${stamp}@example.com` },
    ];
    const r = await postWithWriteKey(server.url, '/v1/batch', src.writeKey, {
      batch: people.map((p, i) => ({
        type: 'identify',
        messageId: `${stamp}-${i}`,
        userId: p.id,
        traits: { name: p.name, email: p.email, campaign_tag: `spring-${stamp}` },
      })),
    });
    assert.equal(r.status, 200, await r.text());
    const seg = await api.post('/cdp/segments', {
      name: `春季保养邮件 ${stamp}`,
      rule: { trait: 'campaign_tag', op: 'eq', value: `spring-${stamp}` },
    });
    await eventually(async () => {
      const members = await api.get(`/cdp/profiles?segment=${seg.id}`);
      assert.equal(members.items.length, 2);
    }, 60_000);
    // The demo keeps quiet hours (21:00–08:00 China time); this story runs at any hour.
    const settings = await api.get('/messaging/settings');
    await api.put('/messaging/settings', {
      ...settings,
      timeZone: undefined,
      quietStart: null,
      quietEnd: null,
    });
    await api.post('/messaging/templates', {
      name: `春季保养季 ${stamp}`,
      channel: 'email',
      subject: '{{name}}，春季保养季 8 折',
      body: '{{name}}您好：\n\n春季保养季到店享 8 折。\n\n活动详情 https://example.com/spring?from=mail',
    });

    const { page, context } = await newPage(browser, server);
    try {
      await login(page, 'admin');
      // 1. Email settings in the browser.
      await page.goto('/messaging/settings');
      await testId(page, 'messaging-settings-page').waitFor();
      await page.getByLabel('SMTP 主机').fill('127.0.0.1');
      await page.getByLabel('端口').fill(String(smtp.port));
      await page.getByText('不加密（仅限运营方放行的主机）').click();
      await page.getByLabel('发件人', { exact: true }).fill('示例集团 <news@example.com>');
      await testId(page, 'email-save').click();
      await page.getByText('退信接收地址').waitFor();
      await screenshot(page, 'messaging-settings-1366.png');

      // 2. Send the template to the segment, with progress.
      await page.goto('/messaging/templates');
      const row = page.locator('tr', { hasText: `春季保养季 ${stamp}` });
      await row.getByTestId('template-send').click();
      await chooseOption(page, testId(page, 'bulk-send-segment'), `春季保养邮件 ${stamp}`, stamp);
      await testId(page, 'bulk-send-go').click();
      await eventually(
        async () =>
          assert.equal(await testId(page, 'bulk-send-progress').getAttribute('data-status'), 'done'),
        60_000,
      );
      await screenshot(page, 'messaging-bulk-send-1366.png');
      await page.keyboard.press('Escape');

      // 3. The mail server received one mail per person, with a tracked link and one-click unsubscribe.
      await eventually(() => {
        for (const p of people) assert.equal(smtp.inbox.filter((m) => m.to.includes(p.email)).length, 1);
      }, 60_000);
      const mail = smtp.inbox.find((m) => m.to.includes(people[0]!.email))!;
      assert.match(mail.text, /王先生您好/);
      assert.equal(mail.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
      const link = mail.text.match(/https?:\/\/\S+\/k\/[A-Za-z0-9_-]{33}/)![0];
      const click = await fetch(link, { redirect: 'manual' });
      assert.equal(click.status, 302);
      assert.equal(click.headers.get('location'), 'https://example.com/spring?from=mail');

      // 4. Unsubscribe on a phone.
      const phone = await newPage(browser, server, PHONE);
      const unsubscribe = mail.headers['list-unsubscribe']!.slice(1, -1);
      await phone.page.goto(unsubscribe);
      await phone.page.getByRole('button', { name: '确认退订' }).click();
      await phone.page.getByText('已退订').waitFor();
      await screenshot(phone.page, 'messaging-unsubscribed-390.png');
      await phone.context.close();

      // 5. The log shows the click; a new send to the same person is skipped as unsubscribed.
      await page.goto('/messaging');
      await testId(page, 'messaging-log-page').waitFor();
      await page.locator('tr', { hasText: '春季保养季 8 折' }).getByText('已点击').first().waitFor();
      await api.post('/messaging/bulk-sends', {
        templateId: (await api.get('/messaging/templates')).items.find((t: any) => t.name.endsWith(stamp)).id,
        segmentId: seg.id,
        purpose: 'marketing',
        idempotencyKey: `again-${stamp}`,
      });
      await eventually(async () => {
        const log = await api.get('/messaging/messages?reason=unsubscribed');
        assert.ok(log.items.length >= 1);
      }, 60_000);
      await page.reload();
      await page.getByText('客户已退订该渠道').first().waitFor();
      await screenshot(page, 'messaging-log-1366.png');

      const small = await newPage(browser, server, PHONE);
      await login(small.page, 'admin');
      await small.page.goto('/messaging');
      await testId(small.page, 'messaging-log-page').waitFor();
      await small.page.getByText('客户已退订该渠道').first().waitFor();
      await screenshot(small.page, 'messaging-log-390.png');
      await small.page.goto('/messaging/templates');
      await testId(small.page, 'messaging-templates-page').waitFor();
      await screenshot(small.page, 'messaging-templates-390.png');
      await small.context.close();
    } catch (err) {
      await failureScreenshot(page, 'messaging-failure.png');
      throw err;
    } finally {
      await context.close();
    }
  });
});

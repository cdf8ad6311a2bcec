// 会话存档 on the demo (issue 11, R5.6/R12.5), against the WeCom simulator as the demo corp and as the
// Finance-SDK sidecar: the admin sets the archive up (Kehu shows the public key to upload), a customer
// who agreed chats with 孙磊, 孙磊 offers a private transfer; "立即拉取" stores the chat, the risky-
// behaviour rule raises an alert, and the reply figures chart the answer time (zh-CN 1366, en-US 390).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
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

const { sim, demo } = await startDemoWeCom(23);

describe('会话存档 on the demo', () => {
  const kehu = useServerAndBrowser(async ({ server }) => {
    callBackTo(demo, server);
  });

  it('sets the archive up, pulls a chat, raises the private-transfer alert and charts reply time', {
    timeout: 240_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server, {
      viewport: { width: 1366, height: 900 },
    });
    try {
      await page.goto('/login');
      await login(page, 'admin');
      await page.goto('/chats?tab=settings');
      await testId(page, 'chat-sidecar-url').fill(`${sim.url}/_sidecar/`);
      await testId(page, 'chat-archive-secret').fill('e2e-archive-secret');
      await testId(page, 'chat-settings-save').click();
      const key = testId(page, 'chat-public-key');
      await eventually(async () => assert.match((await key.textContent()) ?? '', /BEGIN PUBLIC KEY/));
      // The corp's admin pastes the key into WeCom's console (the simulator's), under its version.
      const v = (await page.getByText(/消息加密公钥（版本 (\d+)）/).textContent())!;
      demo.corp.setupChatArchive({
        secret: 'e2e-archive-secret',
        publicKeyPem: (await key.textContent())!.trim(),
        publicKeyVersion: Number(/版本 (\d+)/.exec(v)![1]),
      });
      await screenshot(page, 'chats-settings-1366.png');

      // A customer adds 孙磊, agrees to the archive and asks; 孙磊 answers with what the rule forbids.
      const wang = demo.corp.wechatUser({ name: '王建业' });
      const { external_userid } = await demo.corp.addFriendDirectly('sun.lei', wang);
      await sim.flushCallbacks();
      await eventually(async () => {
        const contacts = await page.evaluate(async () => (await fetch('/api/v1/wecom/contacts')).json());
        assert.ok(contacts.items.some((c: any) => c.externalUserid && c.name === '王建业'));
      }, 30_000);
      demo.corp.agreeToArchive('sun.lei', external_userid);
      demo.corp.customerSays('sun.lei', external_userid, '特斯拉那边便宜不少，你们还能优惠吗？');
      await sim.advanceTime(4 * 60_000);
      demo.corp.staffSays('sun.lei', external_userid, '可以私下转账给我，我再帮您便宜两千');
      await sim.advanceTime(60_000);
      demo.corp.customerSays('sun.lei', external_userid, '价格还是太贵了');

      await testId(page, 'chat-pull').click();
      await page.getByText(/新存档 3 条，新预警 2 条/).waitFor();

      await page.getByRole('tab', { name: '会话', exact: true }).click();
      await testId(page, 'chat-conversation').filter({ hasText: '王建业' }).click();
      await testId(page, 'chat-messages').getByText('可以私下转账给我，我再帮您便宜两千').waitFor();
      // The customer's question is unanswered: the library's answers to it, to copy.
      await testId(page, 'reply-suggestions').getByText('客户刚说：「价格还是太贵了」').waitFor();
      await testId(testId(page, 'reply-suggestions'), 'suggestion-item').first().waitFor();
      await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
      await screenshot(page, 'chats-conversation-1366.png');
      await page.keyboard.press('Escape');

      await page.getByRole('tab', { name: '预警' }).click();
      const alerts = testId(page, 'chat-alert');
      await eventually(async () => assert.equal(await alerts.count(), 2));
      await alerts.filter({ hasText: '私下交易' }).locator('.ant-tag', { hasText: '私下转账' }).waitFor();
      await screenshot(page, 'chats-alerts-1366.png');

      await page.getByRole('tab', { name: '回复时效' }).click();
      await page.getByRole('cell', { name: '4 分钟' }).waitFor();
      await screenshot(page, 'chats-figures-1366.png');
    } catch (err) {
      await failureScreenshot(page, 'fail-chats-1366.png');
      throw err;
    } finally {
      await context.close();
    }

    // The same on a phone, in English.
    const phone = await newPage(kehu.browser, kehu.server, {
      locale: 'en-US',
      viewport: { width: 390, height: 844 },
    });
    try {
      await phone.page.goto('/login');
      await login(phone.page, 'admin');
      await eventually(async () =>
        assert.equal(await phone.page.evaluate(() => document.documentElement.lang), 'zh-CN'),
      );
      await switchLanguage(phone.page, 'en-US');
      await phone.page.waitForFunction(() => document.documentElement.lang === 'en-US');
      await phone.page.goto('/chats?tab=alerts');
      await testId(phone.page, 'chat-alert').first().waitFor();
      await phone.page.getByRole('tab', { name: 'Alerts' }).waitFor();
      const over = await phone.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(over <= 1, `the page scrolls sideways by ${over}px`);
      await screenshot(phone.page, 'chats-alerts-390-en.png');
      // Back to Chinese for the other tests of the admin.
      await switchLanguage(phone.page, 'zh-CN');
      await phone.page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
    } catch (err) {
      await failureScreenshot(phone.page, 'fail-chats-390.png');
      throw err;
    } finally {
      await phone.context.close();
    }
  });
});

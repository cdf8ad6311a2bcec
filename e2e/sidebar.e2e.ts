// The WeCom chat sidebar (issue 11) at 390 px inside the simulator's sidebar host: 赵静 opens a chat
// with a customer, sees the profile, tags them (→ the tag reaches WeCom), logs a follow-up (→ an
// activity in Kehu), sends a text through sendChatMessage (→ it appears in the simulated chat); the
// group chat view; a signed-in colleague who does not have that customer gets "no access"; outside
// WeCom the page says where to open it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_WECOM } from '../apps/server/src/modules/wecom/wecom.demo.ts';
import {
  apiLogin,
  eventually,
  failureScreenshot,
  login,
  newPage,
  screenshot,
  testId,
  useServerAndBrowser,
} from './support.ts';
import { callBackTo, startDemoWeCom } from './wecom-demo.ts';

const { sim, demo } = await startDemoWeCom(1106);

describe('WeCom chat sidebar', () => {
  const kehu = useServerAndBrowser(async ({ server }) => {
    callBackTo(demo, server);
  });

  const host = (q: Record<string, string>) =>
    `${sim.url}/sidebar-host?${new URLSearchParams({ corpId: DEMO_WECOM.corpId, app: `${kehu.server.url}/sidebar`, ...q })}`;

  async function signedIn(user: string, locale: 'zh-CN' | 'en-US' = 'zh-CN') {
    const { context, page } = await newPage(kehu.browser, kehu.server, {
      locale,
      viewport: { width: 390, height: 1100 },
    });
    await page.goto('/login');
    await login(page, user);
    return { context, page };
  }

  it('staff open a chat: profile, tag → WeCom, follow-up → Kehu, text → the chat; group; no access', {
    timeout: 300_000,
  }, async () => {
    const customer = demo.corp.wechatUser({ name: '林嘉怡', mobile: '13800001111' });
    const { external_userid: ext } = await demo.corp.addFriendDirectly('zhao.jing', customer);
    const { ids } = await demo.corp.editTagInWeCom({
      action: 'create',
      group_name: '购车意向',
      tags: ['高意向', '已试驾'],
    });
    const { chat_id: chatId } = await demo.corp.createGroup('zhao.jing', '车主俱乐部', [customer]);
    await sim.flushCallbacks();

    const { context, page } = await signedIn('zhao.jing');
    let at: Page = page;
    try {
      // The customer and the corp tags reach Kehu through callbacks: reload the chat until they show.
      await eventually(async () => {
        await page.goto(host({ userid: 'zhao.jing', external_userid: ext }));
        const frame = page.frameLocator('#sidebar');
        await testId(frame, 'sidebar-profile').getByText('林嘉怡').waitFor({ timeout: 5000 });
        await testId(frame, 'sidebar-tag-picker').getByText('高意向').waitFor({ timeout: 5000 });
      }, 90_000);
      const frame = page.frameLocator('#sidebar');
      await testId(frame, 'sidebar-profile').getByText('你的客户').waitFor();
      await screenshot(page, 'sidebar-contact-zh-390.png');

      // Tag → CDP manual tag → WeCom.
      await testId(frame, 'sidebar-tag-picker').getByText('高意向').click();
      await frame.getByText('标签已保存').waitFor();
      await eventually(() => {
        const c = demo.corp.externalContacts().find((x) => x.external_userid === ext)!;
        assert.ok(c.follow_users.find((f) => f.userid === 'zhao.jing')!.tags.includes(ids[0]!));
      }, 60_000);

      // Follow-up → an activity in Kehu.
      const note = `电话沟通试驾时间 ${Date.now().toString(36)}`;
      await testId(frame, 'sidebar-actions').getByRole('button', { name: '记跟进' }).click();
      await testId(frame, 'sidebar-actions').locator('textarea').fill(note);
      await testId(frame, 'sidebar-actions')
        .getByRole('button', { name: /保\s*存/ })
        .click();
      await frame.getByText('跟进已记录').waitFor();
      const acts = await page.request.get(`${kehu.server.url}/api/v1/records/activity?limit=20`);
      assert.ok((await acts.text()).includes(note), 'the follow-up is a Kehu activity');
      await testId(frame, 'sidebar-timeline').getByText(note).waitFor();

      // A text through sendChatMessage → the simulated chat.
      await testId(frame, 'sidebar-actions').getByRole('button', { name: '发送消息' }).click();
      await testId(frame, 'sidebar-actions').locator('textarea').fill('林女士您好，周六上午可以来试驾');
      await testId(frame, 'sidebar-actions').getByRole('button', { name: '发送到聊天' }).click();
      await page.locator('#msgs').getByText('林女士您好，周六上午可以来试驾').waitFor();
      assert.ok(demo.corp.chat('zhao.jing', ext).some((m) => m.text === '林女士您好，周六上午可以来试驾'));
      await screenshot(page, 'sidebar-sent-zh-390.png');

      // 话术: the customer says the price is too high (archived through the Finance SDK sidecar); the
      // tab suggests the library's answer to that, and one tap sends it into the chat.
      demo.corp.agreeToArchive('zhao.jing', ext);
      demo.corp.customerSays('zhao.jing', ext, '你们这个车价格太贵了，别家便宜好多');
      const admin = await apiLogin(kehu.server.url, 'admin');
      const corp = (await admin.get('/wecom/corps')).items.find((c: any) => c.corpId === DEMO_WECOM.corpId);
      await admin.post(`/chats/settings/${corp.id}/pull`);
      const before = demo.corp.chat('zhao.jing', ext).length;
      await frame.getByRole('tab', { name: '话术' }).click();
      const suggested = testId(frame, 'reply-suggestions');
      await suggested.getByText('客户刚说：「你们这个车价格太贵了，别家便宜好多」').waitFor();
      await testId(suggested, 'suggestion-item').first().waitFor();
      await screenshot(page, 'sidebar-suggestions-zh-390.png');
      const first = testId(suggested, 'suggestion-item').first();
      const shown = (await first.locator('.ant-list-item-meta-description').textContent()) ?? '';
      await first.getByRole('button', { name: /发\s*送/ }).click();
      await eventually(() => {
        const after = demo.corp.chat('zhao.jing', ext);
        assert.ok(after.length > before, 'the suggested script was sent');
        const sent = String(after.at(-1)?.text ?? '');
        assert.ok(sent.length > 10 && shown.startsWith(sent.slice(0, 10)), `sent the suggestion: ${sent}`);
      });
      // And any script from the library, one tap.
      const more = demo.corp.chat('zhao.jing', ext).length;
      await testId(frame, 'picker-item').first().click();
      await eventually(() => assert.ok(demo.corp.chat('zhao.jing', ext).length > more, 'a script was sent'));

      // 素材: a tap makes this customer's tracked link and sends it as a link card; the customer opens it.
      await frame.getByRole('tab', { name: '素材' }).click();
      await testId(frame, 'material-picker').locator('.ant-card').first().click();
      await testId(frame, 'share-create').click();
      await eventually(() =>
        assert.ok(
          demo.corp.chat('zhao.jing', ext).some((m) => m.kind === 'news' || m.kind === 'link'),
          'a material link card is in the chat',
        ),
      );
      const card = demo.corp.chat('zhao.jing', ext).find((m) => m.kind === 'news' || m.kind === 'link')!;
      const link = String((card.payload as any)?.link ?? (card.payload as any)?.news?.link ?? '');
      assert.match(link, /\/m\//, 'a tracked link');
      const reader = await context.newPage();
      await reader.goto(link);
      await reader.waitForLoadState('domcontentloaded');
      await reader.close();
      // The owner hears that the customer is reading (notification to 赵静).
      await eventually(async () => {
        const n = await page.request.get(`${kehu.server.url}/api/v1/notifications?limit=20`);
        assert.match(await n.text(), /正在看/);
      }, 30_000);
      await screenshot(page, 'sidebar-material-zh-390.png');
      // …and the read is on the customer's profile timeline, which the sidebar shows.
      await eventually(async () => {
        await page.goto(host({ userid: 'zhao.jing', external_userid: ext }));
        await testId(page.frameLocator('#sidebar'), 'sidebar-timeline')
          .getByText('Material Opened')
          .first()
          .waitFor({ timeout: 5000 });
      }, 30_000);

      // The group chat.
      await eventually(async () => {
        await page.goto(host({ userid: 'zhao.jing', chat_id: chatId }));
        await testId(page.frameLocator('#sidebar'), 'sidebar-group')
          .getByText('车主俱乐部')
          .waitFor({ timeout: 5000 });
      }, 60_000);
      await testId(page.frameLocator('#sidebar'), 'sidebar-group').getByText('林嘉怡').waitFor();
      await screenshot(page, 'sidebar-group-zh-390.png');

      // Outside WeCom.
      await page.goto('/sidebar');
      await page.getByText('请在企业微信中打开').waitFor();
      await screenshot(page, 'sidebar-outside-zh-390.png');
    } catch (err) {
      await failureScreenshot(at, 'fail-sidebar.png');
      throw err;
    } finally {
      await context.close();
    }

    // 孙磊 signed in on the device where 赵静's chat is open: he does not have that customer.
    const other = await signedIn('sun.lei', 'en-US');
    at = other.page;
    try {
      await other.page.goto(host({ userid: 'zhao.jing', external_userid: ext }));
      const frame = other.page.frameLocator('#sidebar');
      await testId(frame, 'sidebar-no-access').waitFor();
      await screenshot(other.page, 'sidebar-no-access-390.png');
    } catch (err) {
      await failureScreenshot(at, 'fail-sidebar-no-access.png');
      throw err;
    } finally {
      await other.context.close();
    }
  });
});

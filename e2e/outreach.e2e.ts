// 群发 on the demo (issue 11, R5.2–R5.4, R13.1), against the WeCom simulator as the demo corp: two
// new customers are tagged and put in a segment, one withdraws marketing consent. In the browser
// the admin composes to the segment with a poster from the material library, sees that customer
// excluded with the reason, sends; the staff member confirms in WeCom (the simulator): the consented
// customer gets the text and the poster image, the one who withdrew gets nothing; the results show
// the delivery. Then the same page on a
// 390 px phone in en-US, and the SOP page.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  chooseOption,
  DEMO_PASSWORD,
  DEMO_TENANT,
  eventually,
  failureScreenshot,
  login,
  newPage,
  screenshot,
  switchLanguage,
  testId,
  typeInto,
  useServerAndBrowser,
} from './support.ts';
import { callBackTo, startDemoWeCom } from './wecom-demo.ts';

const { sim, demo } = await startDemoWeCom(7);
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/** The admin over HTTP, with PUT (consent and manual tags are PUTs). */
async function adminApi(baseUrl: string) {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: DEMO_TENANT, login: 'admin', password: DEMO_PASSWORD }),
  });
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrfToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

describe('群发 (mass messages)', () => {
  const kehu = useServerAndBrowser(async ({ server }) => {
    callBackTo(demo, server);
  });

  it('compose to a segment → exclusion with its reason → send → confirm in WeCom → results', {
    timeout: 300_000,
  }, async () => {
    const api = await adminApi(kehu.server.url);
    const yes = await demo.corp.addFriendDirectly('sun.lei', demo.corp.wechatUser({ name: '群发客户甲' }));
    const no = await demo.corp.addFriendDirectly('sun.lei', demo.corp.wechatUser({ name: '群发客户乙' }));
    let profiles: Record<string, string> = {};
    await eventually(async () => {
      await sim.flushCallbacks();
      const items = (await api('GET', '/wecom/contacts')).items as any[];
      const a = items.find((x) => x.externalUserid === yes.external_userid)?.profileId;
      const b = items.find((x) => x.externalUserid === no.external_userid)?.profileId;
      assert.ok(a && b, 'profiles linked');
      profiles = { a, b };
    }, 60_000);
    const tag = await api('POST', '/cdp/tags', { key: 'e2e_mass', name: 'E2E 群发', kind: 'manual' });
    for (const id of Object.values(profiles))
      await api('PUT', `/cdp/tags/${tag.id}/subjects/${id}`, { on: true });
    await api('POST', '/cdp/segments', { name: 'E2E 群发分群', rule: { tag: 'e2e_mass' } });
    await api('PUT', `/cdp/profiles/${profiles.b}/consents/marketing`, { granted: false });

    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await page.goto('/login');
      await login(page, 'admin');
      await page.goto('/outreach/messages');
      await testId(page, 'outreach-messages').waitFor();
      await screenshot(page, 'outreach-list.png');
      // The settings every send is checked against: quiet hours off, the cap WeCom's 4.
      await testId(page, 'outreach-settings').click();
      await testId(page, 'outreach-cap').waitFor();
      await screenshot(page, 'outreach-settings.png');
      await testId(page, 'outreach-settings-save').click();
      await page.getByText('已保存').waitFor();
      await testId(page, 'outreach-new').click();
      await typeInto(testId(page, 'outreach-title'), 'E2E 春季促销');
      await page
        .locator('textarea[data-testid="outreach-text"], [data-testid="outreach-text"] textarea')
        .first()
        .fill('春季试驾，到店有礼');
      await chooseOption(page, testId(page, 'outreach-segment'), 'E2E 群发分群');
      // A poster from the material library: it goes as an image with sun.lei's own QR.
      await testId(page, 'outreach-attach-material').click();
      const picker = testId(page, 'material-picker');
      await picker.locator('.ant-segmented-item').getByText('海报', { exact: true }).click();
      await picker.locator('.ant-card').first().click();
      await testId(page, 'outreach-attachment').first().waitFor();
      await screenshot(page, 'outreach-compose.png');
      await testId(page, 'outreach-plan').click();
      const detail = testId(page, 'outreach-message');
      await detail.waitFor();
      await testId(page, 'outreach-exclusions').getByText('已撤回营销授权').waitFor();
      await testId(page, 'outreach-exclusions').getByText('群发客户乙').waitFor();
      await detail.locator('canvas').first().waitFor();
      await screenshot(page, 'outreach-plan.png');
      await testId(page, 'outreach-send').click();
      await testId(page, 'outreach-refresh').waitFor();
      const task = demo.corp
        .pendingMassMessages('sun.lei')
        .find((m: any) => m.targets.includes(yes.external_userid));
      assert.ok(task, 'a WeCom task for sun.lei');
      assert.ok(!task.targets.includes(no.external_userid), 'the withdrawn customer is not in it');
      await demo.corp.confirmMassMessage(task.msgid, 'sun.lei');
      // The consented customer gets the text and the poster image; the one who withdrew gets nothing.
      const got = demo.corp.chat('sun.lei', yes.external_userid).filter((m) => m.from === 'staff');
      assert.deepEqual(
        got.map((m) => m.kind),
        ['text', 'image'],
      );
      assert.equal(
        demo.corp.chat('sun.lei', no.external_userid).filter((m) => m.from === 'staff').length,
        0,
        'the customer who withdrew marketing consent gets nothing',
      );
      await testId(page, 'outreach-refresh').click();
      await testId(page, 'outreach-status').getByText('已完成').waitFor();
      await screenshot(page, 'outreach-results.png');
      await page.goto('/outreach/sop');
      await testId(page, 'outreach-sop').waitFor();
      await screenshot(page, 'outreach-sop.png');
    } catch (err) {
      await failureScreenshot(page, 'outreach-failure.png');
      throw err;
    } finally {
      await context.close();
    }

    const phone = await newPage(kehu.browser, kehu.server, { ...PHONE, locale: 'en-US' });
    try {
      await phone.page.goto('/login');
      await login(phone.page, 'admin');
      await switchLanguage(phone.page, 'en-US');
      await phone.page.goto('/outreach/messages');
      await testId(phone.page, 'outreach-settings').click();
      await testId(phone.page, 'outreach-quiet').click();
      await phone.page.getByText('Window (start – end)').waitFor();
      await screenshot(phone.page, 'outreach-settings-phone-en.png');
      await phone.page.keyboard.press('Escape');
      await testId(phone.page, 'outreach-messages').getByText('E2E 春季促销').click();
      await testId(phone.page, 'outreach-exclusions').getByText('Withdrew marketing consent').waitFor();
      await testId(phone.page, 'outreach-message').locator('canvas').first().waitFor();
      await screenshot(phone.page, 'outreach-results-phone-en.png');
      // The composer on the phone, with a material picked.
      await phone.page.goto('/outreach/messages');
      await testId(phone.page, 'outreach-new').click();
      await testId(phone.page, 'outreach-attach-material').click();
      await testId(phone.page, 'material-picker').locator('.ant-card').first().click();
      await testId(phone.page, 'outreach-attachment').first().scrollIntoViewIfNeeded();
      await screenshot(phone.page, 'outreach-compose-phone-en.png');
    } catch (err) {
      await failureScreenshot(phone.page, 'outreach-phone-failure.png');
      throw err;
    } finally {
      await phone.context.close();
    }
  });
});

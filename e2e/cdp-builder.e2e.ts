// The CDP builders in zh-CN (issue 4, items 3–5): a tag group and a behaviour tag in the tag factory
// (preview, backfill), a segment with an event condition (property filter, window, count) whose
// live count follows the edits, and the 360 profile of a CRM customer whose timeline merges events
// with the customer's order. Screenshots (desktop and 390 px) go to test-results/cdp-*.png.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  type ApiSession,
  apiLogin,
  chooseOption,
  eventually,
  failureScreenshot,
  login,
  newPage,
  postWithWriteKey,
  screenshot,
  testId,
  typeInto,
  useServerAndBrowser,
  visibleText,
} from './support.ts';

const stamp = Date.now().toString(36);
const PERSON = `林晓 ${stamp}`;
const PHONE = `199${String(Date.now()).slice(-8)}`;
const ORDER = `SO-${stamp}`;
const GROUP = `会员权益 ${stamp}`;
const EVENT = 'Coupon Redeemed';

let admin: ApiSession;
let profileId = '';

const liveCount = async (page: Page) => (await testId(page, 'segment-live-count').textContent())?.trim();

const kehu = useServerAndBrowser(async ({ server }) => {
  admin = await apiLogin(server.url, 'admin');
  // A CRM customer (a person) with an order, and the same person's events from a web source.
  const customer = await admin.post('/records/customer', { name: PERSON, kind: 'person', phone: PHONE });
  await admin.post('/records/order', {
    name: ORDER,
    customerId: customer.id,
    amount: { amount: 3680, currency: 'CNY' },
  });
  const src = await admin.post('/cdp/sources', { name: `E2E ${stamp}`, kind: 'web' });
  const msgs = [
    { type: 'identify', userId: `u-${stamp}`, traits: { name: PERSON, phone: PHONE } },
    { type: 'track', userId: `u-${stamp}`, event: EVENT, properties: { channel: 'wechat', amount: 50 } },
    { type: 'track', userId: `u-${stamp}`, event: EVENT, properties: { channel: 'wechat', amount: 30 } },
    { type: 'track', userId: `u-${stamp}`, event: EVENT, properties: { channel: 'app', amount: 20 } },
  ];
  const r = await postWithWriteKey(server.url, '/v1/batch', src.writeKey, {
    batch: msgs.map((m, i) => ({ ...m, messageId: `${stamp}-${i}` })),
  });
  assert.equal(r.status, 200, await r.text());
  await eventually(async () => {
    const found = await admin.get(`/cdp/profiles?q=u-${stamp}`);
    assert.equal(found.items.length, 1);
    profileId = found.items[0].id;
    const p = await admin.get(`/cdp/profiles/${profileId}`);
    assert.ok(
      p.links.some((l: any) => l.object === 'customer'),
      'the customer is linked',
    );
  }, 60_000);
});

describe('CDP tag factory, segment builder and profile 360 (zh-CN)', () => {
  it('groups a behaviour tag, builds an event segment with a live count, shows orders on the profile', {
    timeout: 300_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await login(page, 'admin');

      // Tag factory: a group, then a behaviour tag in it, previewed before saving.
      await page.goto('/cdp/tags');
      await testId(page, 'group-new').click();
      await testId(page, 'group-name').fill(GROUP);
      await testId(page, 'group-description').fill('券、积分与会员等级相关的标签');
      await testId(page, 'group-save').click();
      const group = testId(page, 'tag-group').filter({ hasText: GROUP });
      await group.waitFor();
      await testId(page, 'tag-new').click();
      await testId(page, 'tag-name').fill('领券达人');
      await testId(page, 'tag-key').fill(`coupon_fan_${stamp}`);
      await chooseOption(page, testId(page, 'tag-kind'), '行为');
      await chooseOption(page, testId(page, 'tag-group-select'), GROUP);
      await chooseOption(page, testId(page, 'rule-event').first(), EVENT, EVENT);
      await typeInto(testId(page, 'rule-count'), '2');
      await testId(page, 'tag-preview').click();
      await testId(page, 'tag-preview-result').waitFor();
      assert.match(await visibleText(testId(page, 'tag-preview-result')), /预计覆盖 1 人/);
      await testId(page, 'tag-save').click();
      await eventually(async () => {
        assert.match(await visibleText(group), /领券达人/);
        assert.equal((await visibleText(group.locator('[data-testid="tag-coverage"]'))).trim(), '1');
      }, 60_000);
      await group.locator('.ant-table-row-expand-icon').first().click();
      await testId(page, 'tag-details').waitFor();
      assert.match(await visibleText(testId(page, 'tag-details')), new RegExp(EVENT));
      await screenshot(page, 'cdp-tag-factory.png');

      // Segment builder: an event condition with a property filter, a window and a count.
      await page.goto('/cdp/segments/new');
      await testId(page, 'segment-name').fill(`微信领券 ${stamp}`);
      await testId(page, 'segment-add-first').click();
      await chooseOption(page, testId(page, 'rule-kind').first(), '事件');
      await chooseOption(page, testId(page, 'rule-event').first(), EVENT, EVENT);
      await typeInto(testId(page, 'rule-count'), '2');
      await typeInto(testId(page, 'rule-window'), '7');
      await testId(page, 'rule-filter-add').click();
      await typeInto(testId(page, 'rule-filter-prop'), 'channel');
      await typeInto(testId(page, 'rule-filter-value'), 'app');
      await eventually(async () => assert.equal(await liveCount(page), '0'));
      await typeInto(testId(page, 'rule-filter-value'), 'wechat');
      await eventually(async () => assert.equal(await liveCount(page), '1'));
      await screenshot(page, 'cdp-segment-builder.png');
      await testId(page, 'segment-save').click();
      await testId(page, 'segment-page').waitFor();
      await eventually(async () =>
        assert.equal((await testId(page, 'segment-member-count').textContent())?.trim(), '1'),
      );

      // The profile of a CRM customer opens the one customer page (issue 9 §2) with the profile as a
      // section: the tag with when/why, and the order in the one timeline.
      await page.goto(`/cdp/profiles/${profileId}`);
      await testId(page, 'one-customer').waitFor();
      assert.equal(await visibleText(testId(page, 'person-title')), PERSON);
      await eventually(async () =>
        assert.match(await visibleText(testId(page, 'profile-tags')), /领券达人[\s\S]*规则计算/),
      );
      await testId(page, 'section-timeline').scrollIntoViewIfNeeded();
      await testId(page, 'timeline-item-money').first().waitFor();
      assert.match(await visibleText(testId(page, 'profile-timeline')), new RegExp(ORDER));
      // The order's amount (3680 fen) and its status in words, from the object's metadata.
      await eventually(async () =>
        assert.match(await visibleText(testId(page, 'timeline-item-money').first()), /¥36\.80 · 草稿/),
      );
      assert.ok((await testId(page, 'timeline-item-event').count()) >= 3);
      await screenshot(page, 'cdp-profile-360.png');
      // Only orders and money: events leave the timeline.
      for (const k of ['event', 'activity', 'stage', 'crm'])
        await testId(page, `timeline-filter-${k}`).click();
      await eventually(async () => {
        assert.equal(await testId(page, 'timeline-item-event').count(), 0);
        assert.ok((await testId(page, 'timeline-item-money').count()) >= 1);
      });
    } catch (e) {
      await failureScreenshot(page, 'failure-cdp-builder.png');
      throw e;
    } finally {
      await context.close();
    }
  });

  it('fits a 390 px phone', { timeout: 120_000 }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      await login(page, 'admin');
      for (const [path, ready, name] of [
        [`/cdp/profiles/${profileId}`, 'profile-timeline', 'cdp-profile-360-phone.png'],
        ['/cdp/tags', 'tag-group', 'cdp-tag-factory-phone.png'],
        ['/cdp/segments/new', 'segment-add-first', 'cdp-segment-builder-phone.png'],
      ] as const) {
        await page.goto(path);
        // The customer's timeline renders once scrolled near (below the fold on a phone).
        if (ready === 'profile-timeline') {
          await testId(page, 'section-timeline').waitFor();
          await testId(page, 'section-timeline').scrollIntoViewIfNeeded();
        }
        await testId(page, ready).first().waitFor();
        if (ready === 'profile-timeline')
          await eventually(async () =>
            assert.match(await visibleText(testId(page, 'timeline-item-money').first()), /草稿/),
          );
        if (path === '/cdp/segments/new') {
          await testId(page, 'segment-add-first').click();
          await chooseOption(page, testId(page, 'rule-kind').first(), '事件');
          await chooseOption(page, testId(page, 'rule-event').first(), EVENT, EVENT);
          await testId(page, 'rule-filter-add').click();
          await typeInto(testId(page, 'rule-filter-prop'), 'channel');
          await typeInto(testId(page, 'rule-filter-value'), 'wechat');
          await eventually(async () => assert.equal(await liveCount(page), '1'));
        }
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 400, `${path}: no horizontal page scroll at 390 px (scrollWidth ${width})`);
        await screenshot(page, name);
      }
    } finally {
      await context.close();
    }
  });
});

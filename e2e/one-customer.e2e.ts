// One customer page (issue 9 §2) at 1366 px and 390 px, zh-CN and en-US: a demo customer whose CDP
// profile is a section of the page, the order-value chart, one timeline mixing events and CRM items,
// the old 客户360 and profile URLs landing on it, and an anonymous visitor reading as 匿名访客 · 来自 ….
// Screenshots go to test-results/one-customer-*.png.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  type ApiSession,
  apiLogin,
  eventually,
  failureScreenshot,
  login,
  newPage,
  screenshot,
  switchLanguage,
  testId,
  useServerAndBrowser,
  visibleText,
} from './support.ts';

let admin: ApiSession;
/** A demo customer with a linked profile, and that profile. */
let customerId = '';
let customerName = '';
let profileId = '';
/** A demo profile that holds only anonymous ids. */
let anonymousId = '';

const kehu = useServerAndBrowser(async ({ server }) => {
  admin = await apiLogin(server.url, 'admin');
  // The demo links profiles to customers in the background after the first start.
  await eventually(async () => {
    const linked = await admin.get(`/cdp/profiles?linked=true&limit=100`);
    const p = linked.items.find((x: any) => x.links.some((l: any) => l.visible && l.object === 'customer'));
    assert.ok(p, 'a demo customer with a linked profile');
    profileId = p.id;
    customerId = p.links.find((l: any) => l.object === 'customer').recordId;
    const anon = await admin.get(`/cdp/profiles?linked=false&limit=200`);
    anonymousId = anon.items.find((x: any) => x.label.anonymous)?.id ?? '';
    assert.ok(anonymousId, 'a demo anonymous visitor');
  }, 120_000);
  // The demo's person customers buy nothing yet: two months of orders for the trend.
  const month = (back: number) => {
    const d = new Date();
    d.setUTCDate(1);
    d.setUTCMonth(d.getUTCMonth() - back);
    return d.toISOString().slice(0, 10);
  };
  for (const [back, amount] of [
    [2, 1_280_00],
    [1, 560_00],
    [0, 2_150_00],
  ] as const)
    await admin.post('/records/order', {
      name: `E2E-${back}`,
      customerId,
      amount: { amount, currency: 'CNY' },
      orderDate: month(back),
    });
  customerName = String((await admin.get(`/records/customer/${customerId}`)).name);
});

async function openCustomer(page: Page) {
  await page.goto(`/o/customer/${customerId}`);
  await testId(page, 'one-customer').waitFor();
  await testId(page, 'customer-figures').waitFor();
}

/** Scrolls a lazy section into view and waits for what it renders. */
async function reveal(page: Page, section: string, ready: string) {
  await testId(page, `section-${section}`).scrollIntoViewIfNeeded();
  await testId(page, ready).first().waitFor();
}

describe('one customer page', () => {
  for (const [width, height, tag] of [
    [1366, 900, 'desktop'],
    [390, 844, 'phone'],
  ] as const) {
    it(`shows record, business, CDP profile, chart and one timeline at ${width} px (zh-CN)`, {
      timeout: 240_000,
    }, async () => {
      const { context, page } = await newPage(kehu.browser, kehu.server, {
        viewport: { width, height },
        ...(width < 500 ? { isMobile: true, hasTouch: true } : {}),
      });
      try {
        await login(page, 'admin');
        // The old 客户360 URL lands on the one page.
        await page.goto(`/sales/customers/${customerId}`);
        await page.waitForURL(`**/o/customer/${customerId}`);
        await testId(page, 'one-customer').waitFor();
        assert.equal(await visibleText(testId(page, 'person-title')), customerName);
        for (const s of ['fields', 'related', 'people', 'trend', 'timeline'])
          assert.equal(await testId(page, `section-${s}`).count(), 1, `section ${s}`);
        await testId(page, 'customer-people').waitFor();
        assert.doesNotMatch(await visibleText(testId(page, 'customer-people')), /[0-9a-f]{8}/);
        await reveal(page, 'trend', 'order-trend-chart');
        await eventually(async () =>
          assert.ok((await testId(page, 'order-trend-chart').locator('canvas').count()) >= 1, 'chart drawn'),
        );
        await reveal(page, 'timeline', 'profile-timeline');
        await eventually(async () => {
          assert.ok((await testId(page, 'timeline-item-event').count()) >= 1, 'events in the timeline');
          const crm = ['money', 'activity', 'stage', 'crm'].map((k) => testId(page, `timeline-item-${k}`));
          let n = 0;
          for (const l of crm) n += await l.count();
          assert.ok(n >= 1, 'CRM items in the same timeline');
        });
        // Filter: events only.
        for (const k of ['activity', 'stage', 'money', 'crm'])
          await testId(page, `timeline-filter-${k}`).click();
        await eventually(async () => {
          assert.equal(await testId(page, 'timeline-item-money').count(), 0);
          assert.ok((await testId(page, 'timeline-item-event').count()) >= 1);
        });
        for (const k of ['activity', 'stage', 'money', 'crm'])
          await testId(page, `timeline-filter-${k}`).click();
        await testId(page, 'timeline-item-money').first().waitFor();
        await screenshot(page, `one-customer-${tag}-zh-CN.png`);

        // The CDP profile of this customer opens the same page, with that profile as its section.
        await page.goto(`/cdp/profiles/${profileId}`);
        await page.waitForURL(`**/o/customer/${customerId}?profile=${profileId}`);
        await testId(page, 'customer-people').waitFor();

        // An anonymous visitor keeps a profile page in the same layout, named as a visitor.
        await page.goto(`/cdp/profiles/${anonymousId}`);
        await testId(page, 'cdp-profile').waitFor();
        const title = await visibleText(testId(page, 'person-title'));
        assert.match(title, /^匿名访客 · 来自 .+ · \d{4}-\d{2}-\d{2}$/);
        await reveal(page, 'timeline', 'profile-timeline');
        await screenshot(page, `one-customer-anonymous-${tag}-zh-CN.png`);
      } catch (e) {
        await failureScreenshot(page, `one-customer-${tag}-failure.png`);
        throw e;
      } finally {
        await context.close();
      }
    });
  }

  it('reads in English, and lists people by name, never by id (en-US)', { timeout: 180_000 }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server, { locale: 'en-US' });
    try {
      await login(page, 'admin');
      // The saved locale is zh-CN; switch in the shell (saved on the user, put back below).
      await switchLanguage(page, 'en-US');
      await eventually(async () =>
        assert.equal(await page.evaluate(() => document.documentElement.lang), 'en-US'),
      );
      await openCustomer(page);
      await eventually(async () =>
        assert.match(await visibleText(testId(page, 'customer-figures')), /Open opportunities/),
      );
      assert.match(await visibleText(testId(page, 'section-trend')), /Order value over time/);
      await reveal(page, 'trend', 'order-trend-chart');
      await screenshot(page, 'one-customer-desktop-en-US.png');
      await page.goto(`/cdp/profiles/${anonymousId}`);
      await testId(page, 'cdp-profile').waitFor();
      assert.match(await visibleText(testId(page, 'person-title')), /^Anonymous visitor · from .+ · \d{4}-/);
      // The profile list and the merge history: labels, no hex tails.
      await page.goto('/cdp/profiles');
      await page.locator('a[href^="/cdp/profiles/"]').first().waitFor();
      const names = await page.locator('a[href^="/cdp/profiles/"]').allInnerTexts();
      assert.ok(names.length > 0);
      for (const n of names) assert.doesNotMatch(n, /^…?[0-9a-f]{6,}$/, n);
      await page.goto('/cdp/merges');
      await testId(page, 'merge-list').waitFor();
      const sides = await page
        .locator('[data-testid="merge-source"], [data-testid="merge-target"]')
        .allInnerTexts();
      for (const n of sides) assert.doesNotMatch(n, /…[0-9a-f]{8}/, n);
    } catch (e) {
      await failureScreenshot(page, 'one-customer-en-failure.png');
      throw e;
    } finally {
      await context.close();
      await admin.patch('/auth/me', { locale: 'zh-CN' });
    }
  });
});

// Tags and segments over a non-person object in zh-CN on the demo tenant (issue 4, item 6; R2.2):
// a tag over 车辆 created in the tag factory with the 适用对象 picker and a field condition, then
// seen on a vehicle's record detail page (标签 panel); the demo segment 待保养车辆 found with the
// list's object filter, its members linking to the vehicles by plate. Screenshots, desktop and
// 390 px, go to test-results/cdp-objects-*.png.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import {
  type ApiSession,
  apiLogin,
  chooseOption,
  eventually,
  type KehuServer,
  launchBrowser,
  login,
  newPage,
  openDropdown,
  resultsPath,
  startServer,
  testId,
  visibleText,
} from './support.ts';

const stamp = Date.now().toString(36);
const TAG = `沪牌车辆 ${stamp}`;
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

let server: KehuServer;
let browser: Browser;
let admin: ApiSession;

async function shot(page: Page, name: string) {
  await page.waitForTimeout(300);
  await page.screenshot({ path: resultsPath(name), fullPage: true });
}
async function drawerSettled(page: Page) {
  await page.locator('.ant-drawer-content-wrapper').waitFor();
  await page.waitForFunction(() => {
    const w = document.querySelector('.ant-drawer-content-wrapper');
    return !!w && getComputedStyle(w).transform === 'none' && w.getBoundingClientRect().left >= 0;
  });
}
async function noSidewaysScroll(page: Page) {
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(wide <= 1, `page scrolls sideways by ${wide}px`);
}
const tagRow = (page: Page, name: string): Locator => page.locator('tr.ant-table-row', { hasText: name });

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  admin = await apiLogin(server.url, 'admin');
  // The first start seeds the vehicles, their tags and the segment 待保养车辆 (demo-cdp.ts).
  await eventually(async () => {
    const segs = await admin.get('/cdp/segments');
    assert.ok(segs.items.some((s: any) => s.name === '待保养车辆' && s.memberCount > 0));
  }, 120_000);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('CDP over other objects: vehicles (zh-CN)', () => {
  it('creates a tag over 车辆 in the tag factory and shows it on a vehicle’s detail page', {
    timeout: 240_000,
  }, async () => {
    const { context, page } = await newPage(browser, server);
    try {
      await login(page, 'admin');
      await page.goto('/cdp/tags');
      await testId(page, 'tag-new').click();
      await drawerSettled(page);
      await testId(page, 'tag-name').fill(TAG);
      await testId(page, 'tag-key').fill(`hu_plate_${stamp}`);
      await chooseOption(page, testId(page, 'tag-object'), '车辆', '车辆');
      // On records only the kinds the server accepts there are offered.
      await eventually(async () => {
        await testId(page, 'tag-kind').locator('.ant-select-selector').click();
        const kinds = await openDropdown(page).locator('.ant-select-item-option').allInnerTexts();
        await page.keyboard.press('Escape');
        assert.deepEqual(kinds.sort(), ['CRM 业务', '属性', '手工', '组合规则'].sort());
      });
      // The condition is a field of the vehicle (its plate, the name field) — no events.
      await chooseOption(page, testId(page, 'rule-trait').first(), '名称');
      await testId(page, 'rule-value').first().fill('沪A');
      await testId(page, 'tag-preview').click();
      await testId(page, 'tag-preview-coverage').waitFor();
      assert.match(await visibleText(testId(page, 'tag-preview-coverage')), /条记录/);
      await shot(page, 'cdp-objects-tag-form.png');
      await testId(page, 'tag-save').click();
      const r = tagRow(page, TAG);
      await r.waitFor();
      assert.match(await visibleText(r), /车辆/);
      await eventually(async () => {
        assert.equal(await r.locator('.ant-progress-status-success').count(), 1);
      }, 120_000);

      // The list filters by object: only vehicle tags are left.
      await chooseOption(page, testId(page, 'tag-object-filter'), '车辆');
      await eventually(async () => {
        const names = await page.locator('tr.ant-table-row').allInnerTexts();
        assert.ok(names.length >= 3, `${names.length} rows`);
        for (const n of names) assert.match(n, /车辆/);
      });
      await shot(page, 'cdp-objects-tag-list.png');

      const vehicles = await admin.get('/records/vehicle?limit=100');
      const hu = vehicles.items.find((v: any) => String(v.name).startsWith('沪A'));
      assert.ok(hu, 'a demo vehicle with a 沪A plate');
      await page.goto(`/o/vehicle/${hu.id}`);
      const panel = testId(page, 'record-tags');
      await panel.waitFor();
      await eventually(async () => assert.match(await visibleText(panel), new RegExp(TAG)));
      await shot(page, 'cdp-objects-record-tags.png');

      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto('/cdp/tags');
      await testId(page, 'tag-new').click();
      await drawerSettled(page);
      await chooseOption(page, testId(page, 'tag-object'), '车辆', '车辆');
      await testId(page, 'rule-trait').first().waitFor();
      await shot(page, 'cdp-objects-tag-form-390.png');
    } finally {
      await context.close();
    }
  });

  it('opens 待保养车辆 from the filtered segment list; its members link to the vehicles by plate', {
    timeout: 120_000,
  }, async () => {
    for (const [label, options] of [
      ['', {}],
      ['-390', PHONE],
    ] as const) {
      const { context, page } = await newPage(browser, server, options);
      try {
        await login(page, 'admin');
        await page.goto('/cdp/segments');
        await chooseOption(page, testId(page, 'segment-object-filter'), '车辆');
        const item = page.locator('[data-testid="segment-item"]', { hasText: '待保养车辆' });
        await item.waitFor();
        assert.equal(await page.locator('[data-testid="segment-item"]').count(), 1);
        assert.match(await visibleText(item), /车辆\s+\d+ 条记录/);
        await shot(page, `cdp-objects-segments${label}.png`);
        await item.locator('a').first().click();
        const members = testId(page, 'segment-members');
        await members.waitFor();
        const first = members.locator('[data-testid="segment-member"] a').first();
        await first.waitFor();
        const plate = await visibleText(first);
        assert.match(plate, /^[沪浙苏粤][ABE]·/u);
        if (label) await noSidewaysScroll(page);
        await shot(page, `cdp-objects-segment${label}.png`);
        await first.click();
        await testId(page, 'record-title').waitFor();
        assert.match(await visibleText(testId(page, 'record-title')), new RegExp(plate.replace('·', '.')));
        const panel = testId(page, 'record-tags');
        await panel.waitFor();
        await eventually(async () =>
          assert.match(await visibleText(testId(panel, 'record-segment').first()), /待保养车辆/),
        );
        if (label) await noSidewaysScroll(page);
        await shot(page, `cdp-objects-record${label}.png`);
      } finally {
        await context.close();
      }
    }
  });

  it('creates a segment over 车辆 on the new-segment page with a live count over the vehicles', {
    timeout: 120_000,
  }, async () => {
    const { context, page } = await newPage(browser, server);
    try {
      await login(page, 'admin');
      await page.goto('/cdp/segments/new');
      await chooseOption(page, testId(page, 'segment-object'), '车辆', '车辆');
      await testId(page, 'segment-name').fill(`新能源车 ${stamp}`);
      await testId(page, 'segment-add-first').click();
      await testId(page, 'rule-kind').first().locator('.ant-select-selector').click();
      await openDropdown(page).locator('.ant-select-item-option', { hasText: '标签' }).click();
      await chooseOption(page, testId(page, 'rule-tag').first(), '新能源车');
      const expected = (await admin.get('/cdp/tags')).items.find((t: any) => t.key === 'new_energy').coverage;
      await eventually(async () =>
        assert.equal(await testId(page, 'segment-live-count').textContent(), String(expected)),
      );
      await shot(page, 'cdp-objects-segment-new.png');
      await testId(page, 'segment-save').click();
      await testId(page, 'segment-page').waitFor();
      const seg = (await admin.get('/cdp/segments')).items.find((s: any) => s.name === `新能源车 ${stamp}`);
      assert.equal(seg.object, 'vehicle');
      assert.equal(seg.memberCount, expected);
    } finally {
      await context.close();
    }
  });
});

// The tag factory in zh-CN on the demo tenant (issue 4, item 4): a churn predicted tag created in the
// browser — backfill progress to done, the model card (AUC, base rate, feature weights chart) and the
// explained reason on a profile — and editing a tag end to end (rename + rule change, preview, save
// re-evaluates with progress; a tag still used by a segment cannot be deleted). Screenshots of the
// tag edit form and the model card, desktop and 390 px, go to test-results/cdp-tag-*.png.
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
  resultsPath,
  screenshot,
  testId,
  typeInto,
  useServerAndBrowser,
  visibleText,
} from './support.ts';

const stamp = Date.now().toString(36);
const CHURN = `流失预警 ${stamp}`;
const RENAMED = `杭州用户 ${stamp}`;

let admin: ApiSession;
let churnId = '';

/** A drawer slides in: wait until it stands still before looking at it. */
async function drawerSettled(page: Page) {
  await page.locator('.ant-drawer-content-wrapper').waitFor();
  await page.waitForFunction(() => {
    const w = document.querySelector('.ant-drawer-content-wrapper');
    return !!w && getComputedStyle(w).transform === 'none' && w.getBoundingClientRect().left >= 0;
  });
  await page.waitForTimeout(300);
}
/** The tag's row in the factory (table on a desktop). */
const row = (page: Page, name: string) => page.locator('tr.ant-table-row', { hasText: name });

const kehu = useServerAndBrowser(async ({ server }) => {
  admin = await apiLogin(server.url, 'admin');
  // The first start seeds the CDP story (demo-cdp.ts): wait until its tags exist.
  await eventually(async () => {
    const tags = await admin.get('/cdp/tags');
    assert.ok(tags.items.some((t: any) => t.key === 'shanghai'));
  }, 120_000);
});

describe('CDP tag factory: predicted tags and editing (zh-CN)', () => {
  it('creates a churn tag, follows its backfill, shows the model card and the explained reason', {
    timeout: 300_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await login(page, 'admin');
      await page.goto('/cdp/tags');
      await testId(page, 'tag-new').click();
      await testId(page, 'tag-name').fill(CHURN);
      await testId(page, 'tag-key').fill(`churn_${stamp}`);
      await chooseOption(page, testId(page, 'tag-kind'), '模型预测');
      await testId(page, 'prediction-config').waitFor();
      await chooseOption(page, testId(page, 'prediction-target'), '流失风险');
      await testId(page, 'tag-save').click();
      // The backfill (train + score) runs as a job; its progress bar ends at done.
      const r = row(page, CHURN);
      await r.waitFor();
      await eventually(async () => {
        assert.equal(await r.locator('.ant-progress-status-success').count(), 1);
      }, 120_000);
      const tags = await admin.get('/cdp/tags');
      const tag = tags.items.find((t: any) => t.name === CHURN);
      churnId = tag.id;
      assert.equal(tag.backfill.status, 'done');
      assert.ok(tag.coverage > 0, 'profiles were scored');
      assert.match(await visibleText(r.locator('[data-testid="tag-coverage"]')), /^[1-9]/);

      await r.locator('.ant-table-row-expand-icon').click();
      const card = testId(page, 'prediction-card');
      await card.waitFor();
      await eventually(async () => {
        const text = await visibleText(card);
        assert.match(text, /AUC/);
        assert.match(text, /基准/);
        assert.match(text, /特征权重|权重/);
      }, 60_000);
      await testId(card, 'prediction-weights').locator('canvas').first().waitFor();
      await page.waitForTimeout(800); // ECharts animates the bars in
      await screenshot(page, 'cdp-tag-model-card.png', card);

      // A profile the model scored shows the explained reason, worded in Chinese.
      const seg = await admin.post('/cdp/segments', {
        name: `已评分 ${stamp}`,
        rule: { tag: `churn_${stamp}` },
      });
      const members = await admin.get(`/cdp/segments/${seg.id}/members?limit=1`);
      assert.equal(members.items.length, 1);
      await page.goto(`/cdp/profiles/${members.items[0].id}`);
      const tagList = testId(page, 'profile-tags');
      await tagList.waitFor();
      const item = tagList.locator('.ant-list-item', { hasText: CHURN });
      await eventually(async () => {
        const text = await visibleText(item);
        assert.match(text, /模型预测/);
        assert.match(text, /流失风险.*（概率 \d+%）/);
      });
      await screenshot(page, 'cdp-tag-profile-reason.png', item);
    } catch (e) {
      await failureScreenshot(page, 'failure-cdp-tags-predicted.png');
      throw e;
    } finally {
      await context.close();
    }
  });

  it('edits a tag: rename and rule change, preview, save re-evaluates; in use, it cannot be deleted', {
    timeout: 300_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await login(page, 'admin');
      const before = (await admin.get('/cdp/tags')).items.find((t: any) => t.key === 'shanghai');
      const expected = await admin.post('/cdp/tags/preview', {
        key: 'x',
        name: 'x',
        kind: 'attribute',
        rule: { trait: 'city', op: 'eq', value: '杭州' },
      });
      await page.goto('/cdp/tags');
      const r = row(page, '上海用户');
      await r.waitFor();
      await r.locator('.ant-table-row-expand-icon').click();
      const details = page.locator('tr.ant-table-expanded-row', { has: testId(page, 'tag-details') });
      await details.waitFor();
      // Used by the demo segment 上海活跃用户: delete is offered but disabled, with the reason.
      assert.equal(await testId(details, 'tag-delete').isDisabled(), true);
      await testId(details, 'tag-edit').click();

      const editor = page.locator('.ant-drawer-content', { has: testId(page, 'tag-save') });
      await editor.waitFor();
      assert.equal(await testId(editor, 'tag-key').isDisabled(), true);
      assert.equal(await testId(editor, 'tag-name').inputValue(), '上海用户');
      await testId(editor, 'tag-name').fill(RENAMED);
      await testId(editor, 'tag-description').fill('资料中的城市为杭州');
      await typeInto(testId(editor, 'rule-value'), '杭州');
      await testId(editor, 'tag-preview').click();
      await eventually(async () =>
        assert.match(
          await visibleText(testId(editor, 'tag-preview-coverage')),
          new RegExp(`预计覆盖 ${expected.coverage} 人`),
        ),
      );
      await drawerSettled(page);
      // The drawer is fixed to the window: capture the window, not the page under it.
      await page.screenshot({ path: resultsPath('cdp-tag-edit.png') });
      await testId(editor, 'tag-save').click();
      await page.locator('.ant-message', { hasText: '规则已变更' }).waitFor();

      const renamed = row(page, RENAMED);
      await renamed.waitFor();
      await eventually(async () => {
        assert.equal(await renamed.locator('.ant-progress-status-success').count(), 1);
        assert.equal(
          (await visibleText(renamed.locator('[data-testid="tag-coverage"]'))).trim(),
          String(expected.coverage),
        );
      }, 60_000);
      const after = await admin.get(`/cdp/tags/${before.id}`);
      assert.equal(after.key, 'shanghai');
      assert.deepEqual(after.rule, { trait: 'city', op: 'eq', value: '杭州' });
      assert.equal(after.backfill.status, 'done');
      await renamed.locator('.ant-table-row-expand-icon').click();
      assert.match(await visibleText(testId(page, 'tag-details').first()), /杭州/);
    } catch (e) {
      await failureScreenshot(page, 'failure-cdp-tags-edit.png');
      throw e;
    } finally {
      await context.close();
    }
  });

  it('fits a 390 px phone: the edit form and the model card', { timeout: 180_000 }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      await login(page, 'admin');
      await page.goto('/cdp/tags');
      const noSideways = async (what: string) => {
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 400, `${what}: no horizontal page scroll at 390 px (scrollWidth ${width})`);
      };
      // On a phone the tags are a list; a tap opens the details.
      const churn = page.locator('.ant-list-item', { hasText: CHURN });
      await churn.locator('button[aria-expanded]').click();
      const card = testId(churn, 'prediction-card');
      await card.waitFor();
      await testId(card, 'prediction-weights').locator('canvas').first().waitFor();
      await page.waitForTimeout(800);
      await noSideways('model card');
      const box = await card.boundingBox();
      assert.ok(
        box && box.x >= 0 && box.x + box.width <= 390,
        `model card within the screen: ${JSON.stringify(box)}`,
      );
      await screenshot(page, 'cdp-tag-model-card-phone.png', card);

      const renamed = page.locator('.ant-list-item', { hasText: RENAMED });
      await renamed.locator('button[aria-expanded]').click();
      await testId(renamed, 'tag-edit').click();
      const editor = page.locator('.ant-drawer-content', { has: testId(page, 'tag-save') });
      await editor.waitFor();
      await testId(editor, 'rule-value').waitFor();
      await drawerSettled(page);
      const box2 = await editor.boundingBox();
      assert.ok(
        box2 && box2.x >= 0 && box2.x + box2.width <= 391,
        `edit form within the screen: ${JSON.stringify(box2)}`,
      );
      await noSideways('tag edit form');
      await page.screenshot({ path: resultsPath('cdp-tag-edit-phone.png') });
      assert.ok(churnId);
    } catch (e) {
      await failureScreenshot(page, 'failure-cdp-tags-phone.png');
      throw e;
    } finally {
      await context.close();
    }
  });
});

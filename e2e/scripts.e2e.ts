// 话术库 on the demo (issue 11, R5.2–R5.6): the HQ sales manager writes a company script in the
// editor drawer; a salesperson at a store, on a 390 px phone, finds it by a Chinese keyword and
// sees HQ's demo scripts beside it. Screenshots at 1366 px (zh-CN) and 390 px (zh-CN, en-US).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  failureScreenshot,
  login,
  newPage,
  resultsPath,
  screenshot,
  switchLanguage,
  testId,
  useServerAndBrowser,
} from './support.ts';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const TITLE = '异议处理-客户嫌价格贵（E2E）';

describe('script library', () => {
  const kehu = useServerAndBrowser();

  it('a manager publishes a company script; a salesperson finds it by a Chinese keyword at 390 px', {
    timeout: 240_000,
  }, async () => {
    {
      const { context, page } = await newPage(kehu.browser, kehu.server);
      try {
        await login(page, 'wang.jianguo');
        await page.goto('/scripts');
        await testId(page, 'script-table').locator('.ant-table-row').first().waitFor();
        await screenshot(page, 'scripts-zh-1366.png');
        await testId(page, 'script-new').click();
        await testId(page, 'script-title').fill(TITLE);
        await testId(page, 'script-body').fill(
          '您觉得价格太贵可以理解。\n我帮您把五年的用车成本算一遍，再决定也不迟。',
        );
        await screenshot(page, 'scripts-editor-zh-1366.png');
        await testId(page, 'script-save').click();
        await page.getByText('已保存').waitFor();
        // Unused, it sorts last; a search brings it up.
        const search = testId(page, 'script-search');
        await search.fill('嫌价格贵');
        await search.press('Enter');
        await testId(page, 'script-table').locator('.ant-table-row', { hasText: TITLE }).waitFor();
      } catch (err) {
        await failureScreenshot(page, 'scripts-manager');
        throw err;
      } finally {
        await context.close();
      }
    }
    for (const locale of ['zh-CN', 'en-US'] as const) {
      const { context, page } = await newPage(kehu.browser, kehu.server, { ...PHONE, locale });
      try {
        await login(page, 'sun.lei');
        if (locale === 'en-US') {
          await switchLanguage(page, 'en-US');
          await page.waitForFunction(() => document.documentElement.lang === 'en-US');
        }
        await page.goto('/scripts');
        const list = testId(page, 'script-list');
        await list.locator('[data-testid="script-item"]').first().waitFor();
        const search = testId(page, 'script-search');
        await search.fill('价格太贵');
        await search.press('Enter');
        await list.locator('[data-testid="script-item"]', { hasText: TITLE }).waitFor();
        // Ranked: a script about price comes first, not one that merely mentions it.
        const first = await list.locator('[data-testid="script-item"] strong').first().textContent();
        assert.match(first ?? '', /价格/);
        // The page fits the phone: nothing wider than the viewport.
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390));
        await screenshot(page, `scripts-${locale === 'zh-CN' ? 'zh' : 'en'}-390.png`);
        // The picker the sidebar mounts: recommended first, a tap sends (here: copies) and counts a use.
        await page.goto('/scripts/pick');
        const picker = testId(page, 'script-picker');
        await picker.locator('[data-testid="picker-item"]').first().waitFor();
        await picker.locator('.ant-tag-orange').first().waitFor();
        await page.screenshot({
          path: resultsPath(`scripts-picker-${locale === 'zh-CN' ? 'zh' : 'en'}-390.png`),
        });
      } catch (err) {
        await failureScreenshot(page, `scripts-phone-${locale}`);
        throw err;
      } finally {
        await context.close();
      }
    }
  });
});

// 员工数据 on the demo (issue 11 "Staff analytics", R11.3), against the WeCom simulator as the demo
// corp: two customers add 孙磊 and one adds 赵静. The admin (1366 px) sees the team's figures, the
// trend and channel charts and the ranking, sorts it from the keyboard, drills down to 孙磊 and
// exports the ranking as CSV; 赵静 (销售顾问) on a 390 px phone in English sees only herself and
// may not export.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import {
  eventually,
  failureScreenshot,
  login,
  newPage,
  parseCsv,
  screenshot,
  switchLanguage,
  testId,
  useServerAndBrowser,
} from './support.ts';
import { callBackTo, startDemoWeCom } from './wecom-demo.ts';

const { sim, demo } = await startDemoWeCom(13);
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe('staff analytics', () => {
  const kehu = useServerAndBrowser(async ({ server }) => {
    callBackTo(demo, server);
  });

  it('team → ranking sorted from the keyboard → one staff member → CSV; a salesperson on a phone sees herself', {
    timeout: 240_000,
  }, async () => {
    for (const name of ['看板客户甲', '看板客户乙'])
      await demo.corp.addFriendDirectly('sun.lei', demo.corp.wechatUser({ name }));
    await demo.corp.addFriendDirectly('zhao.jing', demo.corp.wechatUser({ name: '看板客户丙' }));
    await sim.flushCallbacks();

    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await page.goto('/login');
      await login(page, 'admin');
      await page.goto('/staff-analytics');
      const ranking = testId(page, 'staff-analytics-ranking');
      const sun = ranking.getByRole('button', { name: /孙磊/ });
      await eventually(async () => {
        await page.reload();
        await sun.waitFor({ timeout: 2000 });
      }, 60_000);
      await testId(page, 'staff-analytics').locator('canvas').first().waitFor();
      await testId(page, 'staff-analytics-headline').getByText('新增客户').waitFor();
      await screenshot(page, 'staff-analytics.png');

      // Sorting from the keyboard: the column header takes focus and Enter.
      const header = ranking.locator('th', { hasText: '新增客户' });
      await header.focus();
      await page.keyboard.press('Enter');
      await eventually(async () => assert.equal(await header.getAttribute('aria-sort'), 'descending'));
      const first = await ranking.locator('.ant-table-row').first().innerText();
      assert.match(first, /孙磊/, '孙磊 added the most today');

      await sun.click();
      await testId(page, 'staff-analytics-title').getByText('孙磊').waitFor();
      await testId(page, 'staff-analytics-person').getByText('SOP 完成率').waitFor();
      await screenshot(page, 'staff-analytics-person.png');
      await page.getByRole('button', { name: '返回团队' }).click();
      await ranking.waitFor();

      const download = page.waitForEvent('download');
      await testId(page, 'staff-analytics-export').click();
      const csv = parseCsv(
        (await readFile(await (await download).path())).toString('utf8').replace(/^\uFEFF/, ''),
      );
      assert.deepEqual(csv[0]!.slice(0, 3), ['员工', '团队', '新增客户']);
      assert.ok(
        csv.some((r) => r[0] === '孙磊' && Number(r[2]) >= 2),
        JSON.stringify(csv.slice(0, 4)),
      );
    } catch (err) {
      await failureScreenshot(page, 'staff-analytics-failure.png');
      throw err;
    } finally {
      await context.close();
    }

    const phone = await newPage(kehu.browser, kehu.server, { ...PHONE, locale: 'en-US' });
    try {
      await phone.page.goto('/login');
      await login(phone.page, 'zhao.jing');
      await switchLanguage(phone.page, 'en-US');
      await phone.page.goto('/staff-analytics');
      await testId(phone.page, 'staff-analytics-title').getByText('My figures').waitFor();
      const cards = testId(phone.page, 'staff-analytics-ranking-card');
      await cards.first().waitFor();
      assert.equal(await cards.count(), 1, 'herself only');
      assert.match(await cards.first().innerText(), /赵静/);
      await testId(phone.page, 'staff-analytics-export-locked').waitFor();
      await testId(phone.page, 'staff-analytics').locator('canvas').first().waitFor();
      const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `no sideways scrolling at 390 px (${width})`);
      await screenshot(phone.page, 'staff-analytics-phone-en.png');
    } catch (err) {
      await failureScreenshot(phone.page, 'staff-analytics-phone-failure.png');
      throw err;
    } finally {
      await phone.context.close();
    }
  });
});

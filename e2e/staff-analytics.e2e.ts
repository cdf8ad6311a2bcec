// 员工数据 on the demo (issue 11 "Staff analytics", R11.3), against the WeCom simulator as the demo
// corp: two customers add 孙磊 and one adds 赵静. The admin (1366 px) sees the team's figures, the
// trend and channel charts and the ranking, sorts it from the keyboard, drills down to 孙磊 and
// exports the ranking as CSV; 赵静 (销售顾问) on a 390 px phone in English sees only herself and
// may not export.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  eventually,
  failureScreenshot,
  type KehuServer,
  launchBrowser,
  login,
  newPage,
  parseCsv,
  screenshot,
  startServer,
  switchLanguage,
  testId,
} from './support.ts';
import { callBackTo, startDemoWeCom } from './wecom-demo.ts';

const { sim, demo } = await startDemoWeCom(13);
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe('staff analytics', () => {
  // The demo's first start seeds a tenant; on a busy shared machine that can take past the default wait.
  const kehu = {} as { server: KehuServer; browser: Browser };
  before(async () => {
    kehu.server = await startServer({ readyTimeoutMs: 400_000 });
    kehu.browser = await launchBrowser();
    callBackTo(demo, kehu.server);
  });
  after(async () => {
    await kehu.browser?.close();
    await kehu.server?.stop();
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
      // The adds arrive by callback: wait for them through the API, then open the page once.
      await eventually(async () => {
        const r = await page.request.get('/api/v1/staff-analytics/dashboard');
        const d = (await r.json()) as { staff: { name: string; figures: { added: number } }[] };
        assert.ok(
          d.staff.some((x) => x.name === '孙磊' && x.figures.added >= 2),
          'adds not in yet',
        );
      }, 60_000);
      await page.goto('/staff-analytics');
      const ranking = testId(page, 'staff-analytics-ranking');
      const sun = ranking.getByRole('button', { name: /孙磊/ });
      await sun.waitFor({ timeout: 60_000 });
      await testId(page, 'staff-analytics').locator('canvas').first().waitFor();
      await testId(page, 'staff-analytics-headline').getByText('新增客户').waitFor();
      await screenshot(page, 'staff-analytics.png');

      // Sorting from the keyboard: the column header takes focus and Enter.
      const header = ranking.getByRole('columnheader', { name: '新增客户', exact: true });
      await header.focus();
      await page.keyboard.press('Enter');
      await eventually(async () => assert.equal(await header.getAttribute('aria-sort'), 'descending'));
      const column = await header.evaluate((th) => (th as HTMLTableCellElement).cellIndex);
      const firstAdded = await ranking
        .locator('.ant-table-row')
        .first()
        .locator('td')
        .nth(column)
        .textContent();
      const all = (await (await page.request.get('/api/v1/staff-analytics/dashboard')).json()) as {
        staff: { figures: { added: number } }[];
      };
      assert.equal(Number(firstAdded), Math.max(...all.staff.map((x) => x.figures.added)), 'most adds first');

      await sun.click();
      await testId(page, 'staff-analytics-title').getByText('孙磊').waitFor();
      await page.locator('[data-testid="staff-analytics"][aria-busy="false"]').waitFor();
      assert.equal(
        await testId(page, 'staff-analytics-headline')
          .locator('.ant-statistic-content-value')
          .first()
          .textContent(),
        await testId(page, 'staff-analytics-person')
          .locator('.ant-descriptions-item-content')
          .first()
          .textContent(),
        'the headline is his, not the team’s',
      );
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
      // Her own page: every figure of hers, no ranking of others.
      await testId(phone.page, 'staff-analytics-person').getByText('SOP completion').waitFor();
      assert.equal(await testId(phone.page, 'staff-analytics-ranking').count(), 0);
      const mine = (await (await phone.page.request.get('/api/v1/staff-analytics/dashboard')).json()) as {
        staff: { name: string }[];
      };
      assert.deepEqual(
        mine.staff.map((x) => x.name),
        ['赵静'],
        'herself only',
      );
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

// 企微标签 on the demo (issue 10), against the WeCom simulator as the demo corp: a WeCom admin creates
// tag groups in WeCom's console; the callbacks reach Kehu, and the admin sees the groups and their
// customer-data mapping on the 企微标签 page (zh-CN and en-US, desktop and phone widths), and
// "Sync now" reports an idempotent pull.
import { describe, it } from 'node:test';
import {
  failureScreenshot,
  login,
  newPage,
  screenshot,
  switchLanguage,
  testId,
  useServerAndBrowser,
} from './support.ts';
import { callBackTo, startDemoWeCom } from './wecom-demo.ts';

const { sim, demo } = await startDemoWeCom(5);

describe('WeCom tags page', () => {
  const kehu = useServerAndBrowser(async ({ server }) => {
    callBackTo(demo, server);
  });

  it('shows the tag groups a WeCom admin created, mapped to customer-data tags', {
    timeout: 240_000,
  }, async () => {
    await demo.corp.editTagInWeCom({
      action: 'create',
      group_name: '意向车型',
      tags: ['SUV', '轿车', 'MPV'],
    });
    await demo.corp.editTagInWeCom({
      action: 'create',
      group_name: '购车阶段',
      tags: ['看车', '试驾', '议价'],
    });
    await sim.flushCallbacks();
    for (const [locale, width, name] of [
      ['zh-CN', 1366, 'wecom-tags-zh-1366.png'],
      ['zh-CN', 390, 'wecom-tags-zh-390.png'],
      ['en-US', 1366, 'wecom-tags-en-1366.png'],
      ['en-US', 390, 'wecom-tags-en-390.png'],
    ] as const) {
      const { context, page } = await newPage(kehu.browser, kehu.server, {
        locale,
        viewport: { width, height: 900 },
      });
      try {
        await page.goto('/login');
        await login(page, 'admin');
        if (locale === 'en-US') {
          // The admin's saved language is zh-CN: switch in the shell.
          await switchLanguage(page, 'en-US');
          await page.waitForFunction(() => document.documentElement.lang === 'en-US');
        }
        await page.goto('/wecom/tags');
        const table = testId(page, 'wecom-tags');
        await table.waitFor();
        await table.locator('.ant-table-row', { hasText: '试驾' }).waitFor({ timeout: 30_000 });
        if (width === 1366 && locale === 'zh-CN') {
          await page.getByRole('button', { name: /立即同步/ }).click();
          await page.getByText('已同步 2 个标签组、6 个标签，移除 0 个').waitFor();
        }
        await screenshot(page, name);
      } catch (err) {
        await failureScreenshot(page, `fail-${name}`);
        throw err;
      } finally {
        await context.close();
      }
    }
  });
});

// 外勤 (R4.6) on the demo: a rep on a 390 px phone checks in inside the geofence, takes a shelf photo,
// loses the network, records the stock count and checks out offline; back online the queue syncs
// once (one photo, one check-out). The branch manager's map of today is screenshotted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
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

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

describe('field sales visits on a phone, offline and back', () => {
  const kehu = useServerAndBrowser();

  it('a rep visits a store at 390 px, partly offline, and it syncs once', { timeout: 120_000 }, async () => {
    const zhangApi = await apiLogin(kehu.server.url, 'zhang.wei');
    const mine = await zhangApi.get<{ items: any[] }>('/field-sales/my-visits');
    const visit = mine.items.find((v) => v.status === 'planned' && v.storeLat !== null);
    assert.ok(visit, 'the demo planned a visit for 张伟 today that is not started');
    const { page, context } = await newPage(kehu.browser, kehu.server, {
      ...PHONE,
      permissions: ['geolocation'],
      geolocation: { latitude: visit.storeLat + 0.0003, longitude: visit.storeLng + 0.0002 },
    });
    // What the page sent and logged, printed only when the test fails.
    const trail: string[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/api/v1/field-sales/'))
        trail.push(`${r.request().method()} ${r.url()} ${r.status()}`);
    });
    page.on('console', (m) => trail.push(`console ${m.type()}: ${m.text()}`));
    try {
      await login(page, 'zhang.wei');
      await page.goto('/field-sales/today');
      await testId(page, 'fsl-visit-card').first().waitFor();
      await screenshot(page, 'field-sales-today-390-zh-CN.png');
      await testId(page, 'fsl-visit-card').filter({ hasText: visit.storeName }).click();
      await testId(page, 'fsl-locate').click();
      await eventually(async () =>
        assert.match((await testId(page, 'fsl-distance').textContent()) ?? '', /范围内/),
      );
      await testId(page, 'fsl-check-in').click();
      await eventually(async () =>
        assert.equal(await testId(page, 'fsl-visit-status').textContent(), '拜访中'),
      );

      const photo = await sharp({
        create: { width: 800, height: 600, channels: 3, background: { r: 40, g: 120, b: 200 } },
      })
        .composite([
          {
            input: Buffer.from(
              `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600"><rect x="${Date.now() % 500}" y="80" width="220" height="380" fill="#fc3"/><rect x="60" y="${(Date.now() >> 3) % 300}" width="500" height="90" fill="#c22"/></svg>`,
            ),
          },
        ])
        .jpeg()
        .toBuffer();
      await testId(page, 'fsl-photo-file').setInputFiles({
        name: 'shelf.jpg',
        mimeType: 'image/jpeg',
        buffer: photo,
      });
      await testId(page, 'fsl-photo').first().waitFor();

      // The network goes: the stock count and the check-out wait on the phone.
      await context.setOffline(true);
      await testId(page, 'fsl-offline').waitFor();
      const inv = testId(page, 'fsl-step-inventory');
      await inv.locator('[data-testid="fsl-item-name"]').first().fill('净水器 K5');
      await inv.getByRole('spinbutton').first().fill('7');
      await testId(page, 'fsl-save-inventory').click();
      await testId(page, 'fsl-check-out').click();
      await eventually(async () =>
        assert.equal(await testId(page, 'fsl-visit-status').textContent(), '已完成'),
      );
      await testId(page, 'fsl-pending').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 390, `page is ${overflow} px wide`);
      await screenshot(page, 'field-sales-offline-390-zh-CN.png');
      const before = await zhangApi.get<any>(`/field-sales/visits/${visit.id}`);
      assert.equal(before.status, 'in_progress', 'nothing reached the server while offline');

      await context.setOffline(false);
      await testId(page, 'fsl-pending').waitFor({ state: 'detached' });
      await eventually(async () => {
        const after = await zhangApi.get<any>(`/field-sales/visits/${visit.id}`);
        assert.equal(after.status, 'done');
        assert.deepEqual(after.results.inventory.items, [{ name: '净水器 K5', qty: 7 }]);
        assert.equal(after.photos.length, 1, 'the photo was stored once');
        assert.equal(after.insideFence, true);
        assert.ok(after.durationS >= 0);
      });
    } catch (err) {
      await failureScreenshot(page, 'failure-field-sales-phone.png');
      console.log(trail.join('\n'));
      throw err;
    } finally {
      await context.close();
    }

    // The branch manager's map of today (no tiles: SVG from coordinates).
    const mgr = await newPage(kehu.browser, kehu.server);
    try {
      await login(mgr.page, 'chen.zhiqiang');
      await mgr.page.goto('/field-sales');
      await testId(mgr.page, 'fsl-map').first().waitFor();
      assert.ok((await testId(mgr.page, 'fsl-map-row').count()) >= 2);
      const text = await testId(mgr.page, 'fsl-manager').textContent();
      assert.ok(!text?.includes('吴海涛'), 'another branch’s rep is not on 华东’s map');
      await screenshot(mgr.page, 'field-sales-map-1366-zh-CN.png');
      for (const [tab, shot, wait] of [
        ['覆盖率', 'coverage', '[data-testid="fsl-manager"] canvas'],
        ['拜访照片', 'photos', '[data-testid="fsl-gallery-photo"]'],
        ['拜访计划', 'plans', '[data-testid="fsl-plan-calendar"]'],
        ['门店等级', 'stores', '.ant-table-row'],
      ] as const) {
        await mgr.page.getByRole('tab', { name: tab }).click();
        await mgr.page.locator(wait).first().waitFor();
        await screenshot(mgr.page, `field-sales-${shot}-1366-zh-CN.png`);
      }
      await mgr.page.getByRole('tab', { name: '今日地图' }).click();
      await mgr.page.setViewportSize({ width: 390, height: 844 });
      await testId(mgr.page, 'fsl-map').first().waitFor();
      await screenshot(mgr.page, 'field-sales-map-390-zh-CN.png');
    } catch (err) {
      await failureScreenshot(mgr.page, 'failure-field-sales-map.png');
      throw err;
    } finally {
      await mgr.context.close();
    }
  });

  it('a rep completes a store’s HQ task in the visit; HQ sees it by unit', { timeout: 60_000 }, async () => {
    const zhangApi = await apiLogin(kehu.server.url, 'zhang.wei');
    const hqApi = await apiLogin(kehu.server.url, 'wang.jianguo');
    const mine = await zhangApi.get<{ items: any[] }>('/field-sales/my-visits');
    // A store of 张伟's route whose HQ task (the demo's, pushed to every 华东 store) is still open.
    const tasks = await hqApi.get<{ items: any[] }>('/hq-tasks');
    const detail = await hqApi.get<any>(`/hq-tasks/${tasks.items[0].id}`);
    const store = mine.items.find((v) =>
      detail.targetUnits.some((u: any) => u.unitId === v.storeUnitId && u.status === 'open'),
    );
    assert.ok(store, 'one of 张伟’s stores has an open HQ task in the demo');
    // An unplanned HQ-task visit, checked in (the geofenced check-in is the first test's).
    const id = crypto.randomUUID();
    await zhangApi.post('/field-sales/visits', { id, storeUnitId: store.storeUnitId, visitType: 'hq_task' });
    await zhangApi.post(`/field-sales/visits/${id}/check-in`, {
      lng: null,
      lat: null,
      reason: '演示：定位失败',
    });
    const open = await zhangApi.get<{ items: any[] }>(`/field-sales/visits/${id}/hq-tasks`);
    assert.ok(open.items.length >= 1, 'the demo pushed an HQ task to 华东 stores');
    const task = open.items[0];
    const { page, context } = await newPage(kehu.browser, kehu.server, PHONE);
    try {
      await login(page, 'zhang.wei');
      await page.goto('/field-sales/today');
      await testId(page, 'fsl-visit-card').filter({ hasText: '总部任务' }).last().click();
      const step = testId(page, 'fsl-step-hq_task');
      await testId(step, 'fsl-task').first().waitFor();
      await screenshot(page, 'field-sales-hq-task-390-zh-CN.png');
      await testId(step, 'fsl-task-text').first().fill('新品展台已布置，海报已张贴');
      await testId(step, 'fsl-task-complete').first().click();
      await testId(step, 'fsl-task-done').first().waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 390, `page is ${overflow} px wide`);
      await screenshot(page, 'field-sales-hq-task-done-390-zh-CN.png');
      const byUnit = await hqApi.get<any>(`/hq-tasks/${task.taskId}`);
      const row = byUnit.targetUnits.find((u: any) => u.unitId === store.storeUnitId);
      assert.deepEqual([row.status, row.completedByName], ['done', '张伟']);
    } catch (err) {
      await failureScreenshot(page, 'failure-field-sales-hq-task.png');
      throw err;
    } finally {
      await context.close();
    }
  });
});

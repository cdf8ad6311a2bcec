// Issue 13's service story on a 390×844 phone (zh-CN): the technician opens a job, checks in with
// GPS, adds a photo, records a part, gets the customer's signature and completes it; a customer
// answers a return-visit survey with a low score and the ticket is reopened as a complaint.
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
const tomorrow = () => new Date(Date.now() + 8 * 3600_000 + 86_400_000).toISOString().slice(0, 10);

describe('field service and satisfaction on a phone', () => {
  const kehu = useServerAndBrowser();

  it('a technician checks in and completes a job at 390 px', { timeout: 240_000 }, async () => {
    const admin = await apiLogin(kehu.server.url, 'admin');
    const techs = await admin.get<{ items: { userId: string; name: string }[] }>(
      '/field-service/technicians',
    );
    const zhou = techs.items.find((x) => x.name === '周晓燕')!;
    const orders = await admin.get<{ items: any[] }>(`/field-service/work-orders?day=${tomorrow()}`);
    const job = orders.items.find(
      (w) => w.technicianId === zhou.userId && w.status === 'scheduled' && w.lat !== null,
    );
    assert.ok(job, 'the demo dispatched a job to 周晓燕 for tomorrow');
    const { page, context } = await newPage(kehu.browser, kehu.server, {
      ...PHONE,
      permissions: ['geolocation'],
      geolocation: { latitude: job.lat + 0.0003, longitude: job.lng },
    });
    try {
      await login(page, 'zhou.xiaoyan');
      await page.goto(`/field-service/jobs/${job.id}`);
      await testId(page, 'fs-check-in').click();
      await eventually(async () => assert.equal(await testId(page, 'fs-job-status').textContent(), '服务中'));
      const photo = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#4a8' } })
        .jpeg()
        .toBuffer();
      await testId(page, 'fs-photo-input').setInputFiles({
        name: 'site.jpg',
        mimeType: 'image/jpeg',
        buffer: photo,
      });
      await page.locator('.ant-image').first().waitFor();
      await page.getByRole('button', { name: /添加配件/ }).click();
      await page.getByLabel('配件名称').fill('冷媒 R32');
      await testId(page, 'fs-notes').fill('补充冷媒后制冷正常');
      const pad = testId(page, 'fs-signature');
      await pad.scrollIntoViewIfNeeded();
      const b = (await pad.boundingBox())!;
      await page.mouse.move(b.x + 30, b.y + 100);
      await page.mouse.down();
      for (let i = 1; i <= 12; i++)
        await page.mouse.move(b.x + 30 + i * 20, b.y + 100 - Math.sin(i / 2) * 40);
      await page.mouse.up();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 390, `page is ${overflow} px wide`);
      await screenshot(page, 'field-service-job-390-zh-CN.png');
      await testId(page, 'fs-complete').click();
      await testId(page, 'fs-job-completed').waitFor();
      const done = await admin.get<any>(`/field-service/work-orders/${job.id}`);
      assert.equal(done.status, 'completed');
      assert.equal(done.photos.length, 1);
      assert.deepEqual(done.parts, [{ name: '冷媒 R32', qty: 1 }]);
      assert.ok(done.checkInDistanceM > 20 && done.checkInDistanceM < 60, String(done.checkInDistanceM));
      await screenshot(page, 'field-service-done-390-zh-CN.png');
    } catch (err) {
      await failureScreenshot(page, 'failure-field-service-job.png');
      throw err;
    } finally {
      await context.close();
    }
  });

  it('a low survey score reopens the ticket as a complaint', { timeout: 120_000 }, async () => {
    const admin = await apiLogin(kehu.server.url, 'admin');
    const invites = await admin.get<{ items: any[] }>('/surveys/invites');
    const open = invites.items.find((x) => x.status === 'sent' && x.url);
    assert.ok(open, 'the demo has an unanswered survey');
    const { page, context } = await newPage(kehu.browser, kehu.server, PHONE);
    try {
      await page.goto(new URL(open.url).pathname);
      await testId(page, 'survey-form').waitFor();
      await page.locator('[data-testid="csat-1"] + span').click();
      await page.locator('[data-testid="nps-3"] + span').click();
      await page.locator('#comment').fill('等了两个小时，问题没解决');
      await screenshot(page, 'survey-390-zh-CN.png');
      await testId(page, 'survey-submit').click();
      await testId(page, 'survey-thanks').waitFor();
      const after = await admin.get<{ items: any[] }>('/surveys/invites');
      const mine = after.items.find((x) => x.id === open.id);
      assert.equal(mine.status, 'answered');
      assert.equal(mine.csat, 1);
      assert.equal(mine.reopened, true, 'reopened as a complaint');
      await page.reload();
      await testId(page, 'survey-answered').waitFor();
    } catch (err) {
      await failureScreenshot(page, 'failure-survey.png');
      throw err;
    } finally {
      await context.close();
    }
  });

  it('shows the dispatch board, the survey report and the predictive rules', {
    timeout: 120_000,
  }, async () => {
    const { page, context } = await newPage(kehu.browser, kehu.server);
    try {
      await login(page, 'admin');
      await page.goto('/surveys');
      await testId(page, 'surveys-chart').waitFor();
      await screenshot(page, 'surveys-report-zh-CN.png');
      await page.goto('/field-service');
      await testId(page, 'fs-dispatch').waitFor();
      await page.locator('.ant-table').first().waitFor();
      await screenshot(page, 'field-service-dispatch-zh-CN.png');
      await page.goto('/field-service/rules');
      await testId(page, 'fs-rule-preview').first().waitFor();
      await screenshot(page, 'field-service-rules-zh-CN.png');
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto('/surveys');
      await testId(page, 'surveys-chart').waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(overflow <= 390, `surveys page is ${overflow} px wide`);
      await screenshot(page, 'surveys-report-390-zh-CN.png');
    } catch (err) {
      await failureScreenshot(page, 'failure-field-service-pages.png');
      throw err;
    } finally {
      await context.close();
    }
  });
});

// 客户旅程 on the demo (issue 12): the marketer creates "保险 30 天内到期 → 企微提醒 by owner → wait 3 days →
// not booked → SMS with coupon → goal 预约保养" in the browser, publishing first shows the step that is not
// connected, then publishes; two profiles are enrolled (one withdrew marketing consent) and the owner gets
// the task; the figures show on the canvas. Then the same canvas read-only on a 390 px phone in en-US.
// A second journey sends a marketing SMS at once: the customer who withdrew consent is skipped, and
// the customer's page says why (R13.1). The 3-day wait, coupon, redemption and goal run in
// apps/server/src/modules/journeys/insurance-story.int.test.ts, which moves the clock.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import {
  apiLogin,
  eventually,
  failureScreenshot,
  type KehuServer,
  launchBrowser,
  login,
  newPage,
  screenshot,
  startServer,
  switchLanguage,
  testId,
} from './support.ts';

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

const story = (connected: boolean) => ({
  name: '保险到期提醒',
  definition: {
    trigger: { kind: 'date', field: { trait: 'insurance_expiry' }, offsetDays: -30, yearly: false },
    graph: {
      nodes: [
        { id: 'entry', data: { kind: 'entry' }, position: { x: 200, y: 0 } },
        {
          id: 'remind',
          label: '企微提醒（负责人）',
          data: { kind: 'task', title: '保险 30 天内到期，请提醒客户续保并预约保养' },
          position: { x: 200, y: 110 },
        },
        {
          id: 'wait',
          data: { kind: 'wait', mode: 'duration', duration: { amount: 3, unit: 'days' } },
          position: { x: 200, y: 220 },
        },
        {
          id: 'booked',
          label: '已预约保养？',
          data: { kind: 'condition', rule: { event: '预约保养', withinDays: 3, op: 'gte', value: 1 } },
          position: { x: 200, y: 330 },
        },
        {
          id: 'sms',
          data: {
            kind: 'send',
            channel: 'sms',
            purpose: 'marketing',
            content: { text: '您的爱车保险即将到期，凭券保养立减 100 元' },
            onSkip: 'continue',
          },
          position: { x: 380, y: 450 },
        },
        { id: 'done', data: { kind: 'exit' }, position: { x: 60, y: 450 } },
        { id: 'end', data: { kind: 'exit' }, position: { x: 380, y: 560 } },
      ],
      edges: [
        { id: 'e1', source: 'entry', target: 'remind' },
        { id: 'e2', source: 'remind', target: 'wait' },
        { id: 'e3', source: 'wait', target: 'booked' },
        { id: 'e4', source: 'booked', target: 'done', sourceHandle: 'yes' },
        ...(connected ? [{ id: 'e5', source: 'booked', target: 'sms', sourceHandle: 'no' }] : []),
        { id: 'e6', source: 'sms', target: 'end' },
      ],
    },
    goal: { kind: 'event', event: '预约保养', where: [], windowDays: 30, exitOnGoal: true },
    reentry: { policy: 'after', days: 300 },
    holdoutPercent: 0,
  },
});

describe('客户旅程 (journeys)', () => {
  // The demo seeds on first start; on a loaded machine that can take longer than the default wait.
  const kehu = {} as { server: KehuServer; browser: Browser };
  before(async () => {
    kehu.server = await startServer({ readyTimeoutMs: 600_000 });
    kehu.browser = await launchBrowser();
  });
  after(async () => {
    await kehu.browser?.close();
    await kehu.server?.stop();
  });

  it('builds, validates on the canvas, publishes, enrols and shows figures; read-only on a phone', {
    timeout: 900_000,
  }, async () => {
    const { server, browser } = kehu;
    const { page, context } = await newPage(browser, server);
    try {
      await login(page, 'admin');
      await page.goto('/journeys');
      await testId(page, 'journeys-list').waitFor();
      await testId(page, 'journey-new').click();
      await testId(page, 'journey-name').fill('保险到期提醒');
      await testId(page, 'journey-create').click();
      await testId(page, 'journey-editor').waitFor();
      const id = page.url().split('/journeys/')[1]!;

      // The canvas a marketer drew (saved through the API the canvas uses), with the "not booked" branch loose.
      const api = await apiLogin(server.url, 'admin');
      await page.request.put(`/api/v1/journeys/${id}/draft`, {
        data: story(false),
        headers: { 'x-csrf-token': await csrfOf(page) },
      });
      await page.reload();
      await testId(page, 'journey-node-booked').waitFor();
      await testId(page, 'journey-publish').click();
      await eventually(async () =>
        assert.equal(await testId(page, 'journey-node-booked').getAttribute('data-invalid'), 'true'),
      );
      await screenshot(page, 'journeys-invalid-1366.png');

      await page.request.put(`/api/v1/journeys/${id}/draft`, {
        data: story(true),
        headers: { 'x-csrf-token': await csrfOf(page) },
      });
      await page.reload();
      await testId(page, 'journey-node-sms').waitFor();
      // Keyboard: select the SMS step, open it in the side panel.
      await testId(page, 'journey-node-sms').click();
      await page.keyboard.press('Enter');
      await testId(page, 'step-send-text').waitFor();
      await page.keyboard.press('Escape');
      await testId(page, 'journey-publish').click();
      await eventually(async () => {
        const j = await api.get(`/journeys/${id}`);
        assert.equal(j.status, 'live');
      });

      // Two profiles enrolled by hand; one withdrew marketing consent.
      const profiles = (await api.get('/cdp/profiles?limit=2')).items as { id: string }[];
      assert.equal(profiles.length, 2);
      await page.request.put(`/api/v1/cdp/profiles/${profiles[1]!.id}/consents/marketing`, {
        data: { granted: false, source: 'e2e' },
        headers: { 'x-csrf-token': await csrfOf(page) },
      });
      const enrolled = await api.post(`/journeys/${id}/enrol`, { profileIds: profiles.map((p) => p.id) });
      assert.equal(enrolled.entered, 2);
      await eventually(async () => {
        const a = await api.get(`/journeys/${id}/analytics`);
        assert.equal(a.steps.find((s: { stepId: string }) => s.stepId === 'wait').now, 2);
      }, 60_000);
      await page.reload();
      await testId(page, 'journey-stats').waitFor();
      await testId(page, 'journey-figures').waitFor();
      await screenshot(page, 'journeys-canvas-1366.png');

      await page.goto('/journeys');
      await testId(page, 'journeys-list').getByText('保险到期提醒').waitFor();
      await screenshot(page, 'journeys-list-1366.png');

      // The demo's campaigns: the list, one campaign's report (funnel 潜客 → 订单, links, costs) and its form.
      await page.goto('/campaigns');
      await testId(page, 'campaigns-page').locator('.ant-table-row').first().waitFor();
      await screenshot(page, 'campaigns-list-1366.png');
      await page
        .getByRole('button', { name: /^报\s*告$/ })
        .first()
        .click();
      await testId(page, 'campaign-funnel').waitFor();
      await screenshot(page, 'campaign-report-1366.png');
      await page.keyboard.press('Escape');
      await testId(page, 'campaign-edit').first().click();
      await page.locator('.ant-modal-content').waitFor();
      await screenshot(page, 'campaign-form-1366.png');
      await page.keyboard.press('Escape');

      // A marketing SMS right away (manual entry → send → exit): the customer who withdrew marketing
      // consent is skipped, and their customer page says so in words.
      const linked: { profileId: string; customerId: string }[] = [];
      for (const p of (await api.get('/cdp/profiles?linked=true&limit=100')).items as {
        id: string;
        links: { object: string; recordId: string; visible: boolean }[];
      }[]) {
        const link = p.links.find((l) => l.object === 'customer' && l.visible);
        if (link && linked.length < 2) linked.push({ profileId: p.id, customerId: link.recordId });
      }
      assert.equal(linked.length, 2, 'two demo profiles with a customer record');
      await page.request.put(`/api/v1/cdp/profiles/${linked[1]!.profileId}/consents/marketing`, {
        data: { granted: false, source: 'e2e' },
        headers: { 'x-csrf-token': await csrfOf(page) },
      });
      const offer = await api.post('/journeys', {
        name: '到店礼短信',
        definition: {
          trigger: { kind: 'manual' },
          graph: {
            nodes: [
              { id: 'entry', data: { kind: 'entry' } },
              {
                id: 'sms',
                data: {
                  kind: 'send',
                  channel: 'sms',
                  purpose: 'marketing',
                  content: { text: '到店即送保养礼包' },
                  onSkip: 'continue',
                },
              },
              { id: 'end', data: { kind: 'exit' } },
            ],
            edges: [
              { id: 'a', source: 'entry', target: 'sms' },
              { id: 'b', source: 'sms', target: 'end' },
            ],
          },
          reentry: { policy: 'never' },
          holdoutPercent: 0,
        },
      });
      await api.post(`/journeys/${offer.id}/publish`);
      await api.post(`/journeys/${offer.id}/enrol`, { profileIds: linked.map((l) => l.profileId) });
      await page.goto(`/o/customer/${linked[1]!.customerId}`);
      const run = testId(page, 'record-journey-run').filter({ hasText: '到店礼短信' });
      await eventually(async () => {
        await page.reload();
        await run.getByText('客户已撤回该用途的同意（PIPL），未发送').waitFor({ timeout: 5_000 });
      }, 60_000);
      await testId(page, 'record-journeys').scrollIntoViewIfNeeded();
      await screenshot(page, 'journeys-record-skip-1366.png');

      const phone = await newPage(browser, server, PHONE);
      await login(phone.page, 'admin');
      await switchLanguage(phone.page, 'en-US');
      await phone.page.goto(`/journeys/${id}`);
      await testId(phone.page, 'journey-editor').waitFor();
      assert.equal(await testId(phone.page, 'journey-publish').count(), 0, 'read-only on a phone');
      await screenshot(phone.page, 'journeys-canvas-390.png');
      await phone.context.close();
    } catch (err) {
      await failureScreenshot(page, 'journeys-failure.png');
      throw err;
    } finally {
      await context.close();
    }
  });
});

async function csrfOf(page: import('playwright-core').Page): Promise<string> {
  const r = await page.request.get('/api/v1/auth/me');
  const body = (await r.json()) as { csrfToken?: string };
  return body.csrfToken ?? '';
}

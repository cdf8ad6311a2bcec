// Issue 9 §4, the hand-offs between steps on a 390×844 phone in zh-CN and at 1366 px in en-US:
// the call log asks how the call went (空号 lowers the score with a reason), conversion lands on
// the new opportunity, and on the kanban the 移动到 menu (phones, keyboards) opens the SOP
// checklist in place when the stage's required items are undone, then completes the move.
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
  testId,
  useServerAndBrowser,
  visibleText,
} from './support.ts';

const SALESPERSON = 'sun.lei'; // 孙磊, 销售顾问
const stamp = Date.now().toString(36);
let seq = 0;
const phoneNo = () => `198${String(Date.now() + seq++).slice(-8)}`;

let admin: ApiSession;
let sales: ApiSession;
let salesUserId: string;

const toast = (page: Page, text: string | RegExp) => page.locator('.ant-message-notice', { hasText: text });

async function newLead(company: string) {
  return admin.post<{ id: string }>('/records/lead', {
    name: `线索 ${stamp}-${seq}`,
    company,
    phone: phoneNo(),
    product: 'CRM 年度订阅',
    need: 'urgent',
    companySize: 'large',
    budget: { amount: 8_800_000, currency: 'CNY' },
    ownerId: salesUserId,
  });
}

describe('hand-offs between steps', () => {
  const kehu = useServerAndBrowser(async ({ server }) => {
    admin = await apiLogin(server.url, 'admin');
    sales = await apiLogin(server.url, SALESPERSON);
    const users = (await admin.get<{ items: { id: string; login: string }[] }>('/admin/users?limit=100'))
      .items;
    salesUserId = users.find((u) => u.login === SALESPERSON)!.id;
  });

  it('on a 390 px phone: 空号 lowers the score with its reason, conversion lands on the opportunity, 移动到 opens the SOP checklist', async () => {
    const company = `宁波港通物流 ${stamp}`;
    const lead = await newLead(company);
    const before = (await sales.get<any>(`/records/lead/${lead.id}`)).score as number;
    const { context, page } = await newPage(kehu.browser, kehu.server, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    try {
      await login(page, SALESPERSON);
      await page.goto(`/leads/inbox/${lead.id}`);
      await testId(page, 'lead-page').waitFor();

      // ── A call to an invalid number.
      await testId(page, 'lead-log-call').tap();
      const callModal = page.locator('.ant-modal', { hasText: '记录通话' });
      await callModal.waitFor();
      await callModal
        .locator('.ant-radio-button-wrapper')
        .filter({ hasText: /^空号$/ })
        .tap();
      await callModal.getByText('评分大幅降低，请核实号码').waitFor();
      const box = await callModal.locator('.ant-modal-content').boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390.5, 'the call modal fits the phone');
      await screenshot(page, 'handoffs-call-outcome-390-zh-CN.png');
      await testId(page, 'log-call-save').tap();
      await toast(page, '未接通不算首次响应').waitFor();
      await eventually(async () => {
        const after = await sales.get<any>(`/records/lead/${lead.id}`);
        assert.ok(after.score <= before - 40, `score ${before} → ${after.score}`);
        assert.equal(after.firstRespondedAt, null);
      });
      await page.reload();
      await eventually(async () =>
        assert.match(await visibleText(testId(page, 'score-reason').first()), /最近一次通话为空号/),
      );
      await testId(page, 'activity-outcome').first().waitFor();
      assert.equal(await visibleText(testId(page, 'activity-outcome').first()), '空号');

      // ── Convert on the phone: lands on the new opportunity.
      await testId(page, 'lead-convert').tap();
      const convertModal = page.locator('.ant-modal', { hasText: '转化线索' });
      await convertModal.waitFor();
      assert.equal(await testId(page, 'convert-opp-name').inputValue(), `${company} · CRM 年度订阅`);
      assert.equal(await testId(page, 'convert-amount').inputValue(), '88000');
      await testId(page, 'convert-submit').tap();
      await page.waitForURL(/\/o\/opportunity\/[0-9a-f-]{36}$/);
      const oppId = page.url().split('/').pop()!;
      await testId(page, 'opportunity-page').waitFor();

      // ── Kanban on the phone: 移动到 → 方案定制 is blocked; the checklist opens from the bottom.
      await page.goto('/sales/kanban');
      await testId(page, 'sales-kanban').waitFor();
      const card = testId(page, `kanban-card-${oppId}`);
      await card.waitFor();
      assert.equal(await visibleText(testId(card, 'card-sop-progress')), '0/4');
      await testId(card, 'card-move').tap();
      await page
        .locator('.ant-dropdown:not(.ant-dropdown-hidden)')
        .getByText('方案定制', { exact: true })
        .tap();
      const drawer = page.locator('.ant-drawer-content', { hasText: '推进到「方案定制」前的 SOP' });
      await drawer.waitFor();
      const d = await drawer.boundingBox();
      assert.ok(d && d.x >= 0 && d.x + d.width <= 390.5, `the drawer fits the phone: ${JSON.stringify(d)}`);
      for (const item of ['confirm_need', 'identify_dm']) {
        const b = testId(page, `drawer-sop-discovery-${item}`);
        await b.tap();
        await eventually(async () => assert.ok(await b.isChecked()));
      }
      await drawer.getByText('必做事项已完成，可以推进了。').waitFor();
      await screenshot(page, 'handoffs-sop-drawer-390-zh-CN.png');
      await testId(page, 'sop-drawer-move').tap();
      await toast(page, '阶段已更新').waitFor();
      await testId(page, 'kanban-col-solution').locator(`[data-testid="kanban-card-${oppId}"]`).waitFor();
      assert.equal((await sales.get<any>(`/records/opportunity/${oppId}`)).stage, 'solution');
      await screenshot(page, 'handoffs-kanban-390-zh-CN.png');

      // "Not now" leaves the card where it was.
      await testId(card, 'card-move').tap();
      await page
        .locator('.ant-dropdown:not(.ant-dropdown-hidden)')
        .getByText('信任构建', { exact: true })
        .tap();
      const later = page.locator('.ant-drawer-content', { hasText: '推进到「信任构建」前的 SOP' });
      await later.waitFor();
      await later.getByRole('button', { name: '稍后再说' }).tap();
      await later.waitFor({ state: 'detached' });
      assert.equal((await sales.get<any>(`/records/opportunity/${oppId}`)).stage, 'solution');
    } catch (e) {
      await failureScreenshot(page, 'failure-handoffs-phone.png');
      throw e;
    } finally {
      await context.close();
    }
  });

  it('in en-US at 1366 px: outcomes, conversion and the checklist read English', async () => {
    const company = `Harbour Logistics ${stamp}`;
    const lead = await newLead(company);
    await sales.patch('/auth/me', { locale: 'en-US' });
    const { context, page } = await newPage(kehu.browser, kehu.server, { locale: 'en-US' });
    try {
      await login(page, SALESPERSON);
      await page.goto(`/leads/inbox/${lead.id}`);
      await testId(page, 'lead-page').waitFor();
      await testId(page, 'lead-log-call').click();
      const callModal = page.locator('.ant-modal', { hasText: 'Log a call' });
      await callModal.waitFor();
      const outcomes = await callModal.locator('.ant-radio-button-wrapper').allInnerTexts();
      assert.ok(
        ['Connected', 'No answer', 'Invalid number', 'Refused'].every((o) => outcomes.includes(o)),
        outcomes.join(),
      );
      await callModal
        .locator('.ant-radio-button-wrapper')
        .filter({ hasText: /^Connected$/ })
        .click();
      await callModal.getByText('Counts as the first response and stops the SLA clock').waitFor();
      await testId(page, 'log-call-save').click();
      await toast(page, 'Call logged; the response clock stopped').waitFor();

      await testId(page, 'lead-convert').click();
      const convertModal = page.locator('.ant-modal', { hasText: 'Convert' });
      await convertModal.waitFor();
      const buttons = await convertModal.locator('.ant-modal-footer button').allInnerTexts();
      assert.deepEqual(
        buttons.map((b) => b.trim()),
        ['Cancel', 'Convert'],
      );
      assert.equal(await testId(page, 'convert-opp-name').inputValue(), `${company} · CRM 年度订阅`);
      await testId(page, 'convert-submit').click();
      await page.waitForURL(/\/o\/opportunity\/[0-9a-f-]{36}$/);
      const oppId = page.url().split('/').pop()!;

      await page.goto('/sales/kanban');
      const card = testId(page, `kanban-card-${oppId}`);
      await card.waitFor();
      await testId(card, 'card-move').click();
      await page
        .locator('.ant-dropdown:not(.ant-dropdown-hidden)')
        .getByText('Solution design', { exact: true })
        .click();
      const drawer = page.locator('.ant-drawer-content', { hasText: 'SOP before “Solution design”' });
      await drawer.waitFor();
      assert.match(await visibleText(drawer), /2 required items left/);
      assert.doesNotMatch(
        await visibleText(drawer),
        /[\u4e00-\u9fff]/,
        'no Chinese in the English checklist',
      );
      // Slid in completely (the screenshot shows it whole).
      await eventually(async () => {
        const b = await drawer.boundingBox();
        assert.ok(b && b.x + b.width <= 1366.5, JSON.stringify(b));
      });
      await screenshot(page, 'handoffs-sop-drawer-1366-en-US.png');
      await drawer.getByRole('button', { name: 'Not now' }).click();
      await drawer.waitFor({ state: 'detached' });
    } catch (e) {
      await failureScreenshot(page, 'failure-handoffs-en.png');
      throw e;
    } finally {
      await sales.patch('/auth/me', { locale: 'zh-CN' });
      await context.close();
    }
  });
});

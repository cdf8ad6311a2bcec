// The salesperson's day (issue 3, hand-offs of issue 9 §4), in zh-CN: a lead assigned to 孙磊
// (销售顾问, 浦东张江店) shows in his inbox → a first call goes unanswered (the SLA clock keeps
// running) → a second call connects (the clock stops) → converting proposes "<company> · <product>"
// with the lead's budget and lands on the new opportunity → on the kanban he drags the card to the
// next stage, the SOP checklist opens right there, he ticks the required items and the move
// completes → the history reads each SOP item and the move once → he builds a quote with a discount
// that needs approval and submits it → 张伟 (经销商店长, the unit manager the approval flow picks)
// approves it on a 390×844 phone → the approved quote becomes a contract, then an order → a receipt
// pays it. Screenshots of the inbox, conversion, kanban drag, SOP drawer, customer 360 and the
// dashboard funnel go to test-results/.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
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

const SALESPERSON = 'sun.lei'; // 孙磊, 销售顾问, EC-D1-S1
const MANAGER = 'zhang.wei'; // 张伟, 经销商店长, EC-D1 (the store's unit manager)

const stamp = Date.now().toString(36);
const LEAD_NAME = `钱多多 ${stamp}`;
const COMPANY = `苏州云帆科技有限公司 ${stamp}`;
// A phone no demo customer has (the seed draws 13x numbers), so the lead is not a duplicate.
const PHONE = `199${String(Date.now()).slice(-8)}`;
const PRODUCT = '门店数字化套件';

let admin: ApiSession;
let sales: ApiSession;

/**
 * Drags with the mouse the way a person does (press, move past dnd-kit's 6 px threshold, glide
 * over the target, release); `whileOver` runs with the card held over the target.
 */
async function dragTo(page: Page, source: Locator, target: Locator, whileOver?: () => Promise<void>) {
  const s = (await source.boundingBox())!;
  const t = (await target.boundingBox())!;
  await page.mouse.move(s.x + s.width / 2, s.y + 14);
  await page.mouse.down();
  await page.mouse.move(s.x + s.width / 2 + 12, s.y + 24, { steps: 4 });
  await page.mouse.move(t.x + t.width / 2, t.y + 80, { steps: 15 });
  await whileOver?.();
  await page.mouse.up();
}

/** The antd toast with this text. */
const toast = (page: Page, text: string) => page.locator('.ant-message-notice', { hasText: text });

describe("salesperson's day: lead → call outcomes → convert lands on the opportunity → drag with the SOP checklist in place → quote → phone approval → order → receipt", () => {
  const kehu = useServerAndBrowser(async ({ server }) => {
    admin = await apiLogin(server.url, 'admin');
    sales = await apiLogin(server.url, SALESPERSON);
  });

  it('works a lead through to a paid order', { timeout: 300_000 }, async () => {
    const users = (
      await admin.get<{ items: { id: string; login: string; name: string }[] }>('/admin/users?limit=100')
    ).items;
    const salesUser = users.find((u) => u.login === SALESPERSON)!;
    const manager = users.find((u) => u.login === MANAGER)!;
    assert.ok(salesUser && manager, 'demo users exist');

    // A lead arrives through the API, assigned to the salesperson (explicit owner), with the
    // product it asks about and a budget of ¥200,000.
    const lead = await admin.post<{ id: string }>('/records/lead', {
      name: LEAD_NAME,
      company: COMPANY,
      phone: PHONE,
      product: PRODUCT,
      budget: { amount: 20_000_000, currency: 'CNY' },
      ownerId: salesUser.id,
    });

    const { context, page } = await newPage(kehu.browser, kehu.server);
    let phone: Awaited<ReturnType<typeof newPage>> | undefined;
    let desk: Awaited<ReturnType<typeof newPage>> | undefined;
    try {
      await login(page, SALESPERSON);

      // ── Inbox: the new lead, with a running first-response countdown.
      await page.goto('/leads/inbox');
      await testId(page, 'leads-inbox').waitFor();
      const item = testId(page, 'inbox-item').filter({ hasText: LEAD_NAME });
      await item.waitFor();
      assert.match(await visibleText(item), /新线索/);
      await testId(item, 'sla-countdown').waitFor();
      assert.match(await visibleText(testId(item, 'sla-countdown')), /内响应/);
      await screenshot(page, 'sales-day-inbox-zh-CN.png');

      // ── First call: nobody answers. It is logged, but the SLA clock keeps running.
      const logCall = async (outcome: string, subject: string) => {
        await testId(item, 'inbox-log-call').click();
        const callModal = page.locator('.ant-modal', { hasText: '记录通话' });
        await callModal.waitFor();
        await callModal.getByText('通话结果').waitFor();
        await callModal
          .locator('.ant-radio-button-wrapper')
          .filter({ hasText: new RegExp(`^${outcome}$`) })
          .click();
        await testId(page, 'log-call-subject').fill(subject);
        await testId(page, 'log-call-save').click();
        await callModal.waitFor({ state: 'hidden' });
      };
      await logCall('未接通', '首次电话：未接通');
      await toast(page, '未接通不算首次响应').waitFor();
      const ringing = await sales.get<any>(`/records/lead/${lead.id}`);
      assert.equal(ringing.firstRespondedAt, null, 'an unanswered call does not stop the clock');
      assert.equal(ringing.status, 'new');
      await testId(item, 'sla-countdown').waitFor();

      // ── Second call gets through: the clock stops, the lead is contacted.
      await logCall('接通', '首次电话：了解门店数字化需求');
      await toast(page, '已记录通话，响应计时已停止').waitFor();
      await testId(item, 'sla-responded').waitFor();
      assert.equal(await visibleText(testId(item, 'sla-responded')), '已响应');
      await eventually(async () => assert.match(await visibleText(item), /已联系/));
      const stopped = await sales.get<any>(`/records/lead/${lead.id}`);
      assert.ok(stopped.firstRespondedAt, 'firstRespondedAt is set');
      assert.equal(stopped.status, 'contacted');

      // ── Convert: the opportunity is proposed as "<company> · <product>" with the budget, and
      // converting lands on it.
      await testId(item, 'inbox-lead-link').click();
      await testId(page, 'lead-page').waitFor();
      assert.equal(await visibleText(testId(page, 'lead-status')), '已联系');
      const outcomes = (await testId(page, 'activity-outcome').allInnerTexts()).sort();
      assert.deepEqual(outcomes, ['接通', '未接通'], 'the lead page shows how each call went');
      await testId(page, 'lead-convert').click();
      const convertModal = page.locator('.ant-modal', { hasText: '转化线索' });
      await convertModal.waitFor();
      assert.equal(await convertModal.getByLabel('客户名称').inputValue(), COMPANY);
      assert.equal(await testId(page, 'convert-opp-name').inputValue(), `${COMPANY} · ${PRODUCT}`);
      assert.equal(await testId(page, 'convert-amount').inputValue(), '200000');
      await convertModal.getByText('来自线索预算').waitFor();
      // Localised buttons only (antd spaces two-character Chinese labels).
      const buttons = (await convertModal.locator('.ant-modal-footer button').allInnerTexts()).map((b) =>
        b.replace(/\s+/g, ''),
      );
      assert.deepEqual(buttons, ['取消', '确认转化']);
      await screenshot(page, 'sales-day-convert-zh-CN.png');
      await testId(page, 'convert-submit').click();
      await page.waitForURL(/\/o\/opportunity\/[0-9a-f-]{36}$/);
      const oppId = page.url().split('/').pop()!;
      await testId(page, 'opportunity-page').waitFor();
      await convertModal.waitFor({ state: 'detached' });
      assert.match(
        await visibleText(testId(page, 'opportunity-page').locator('h4').first()),
        new RegExp(`${COMPANY} · ${PRODUCT}`),
      );
      const converted = await sales.get<any>(`/records/lead/${lead.id}`);
      const customerId: string = converted.convertedCustomerId;
      assert.equal(converted.status, 'converted');
      assert.equal(converted.convertedOpportunityId, oppId);
      assert.ok(customerId && converted.convertedContactId, 'customer and contact linked');
      const opp = await sales.get<any>(`/records/opportunity/${oppId}`);
      assert.deepEqual(opp.amount, { amount: 20_000_000, currency: 'CNY' }, 'the budget became the amount');

      // ── Kanban: the card sits in 需求挖掘 with its checklist progress; dragging it to 方案定制
      // is blocked by the SOP, which opens right there to tick the items, and the move completes.
      await page.goto('/sales/kanban');
      await testId(page, 'sales-kanban').waitFor();
      const card = testId(page, `kanban-card-${oppId}`);
      await testId(page, 'kanban-col-discovery').locator(`[data-testid="kanban-card-${oppId}"]`).waitFor();
      assert.match(await visibleText(card), new RegExp(COMPANY));
      assert.equal(await visibleText(testId(card, 'card-sop-progress')), '0/4');
      await dragTo(page, card, testId(page, 'kanban-col-solution'), async () => {
        await eventually(async () =>
          assert.equal(await testId(page, 'kanban-col-solution').getAttribute('data-over'), 'true'),
        );
        await screenshot(page, 'sales-day-kanban-drag-zh-CN.png');
      });
      const drawer = page.locator('.ant-drawer-content', { hasText: '推进到「方案定制」前的 SOP' });
      await drawer.waitFor();
      assert.match(await visibleText(drawer), /还有 2 项必做事项未完成/);
      const moveButton = testId(page, 'sop-drawer-move');
      assert.ok(await moveButton.isDisabled(), 'the move waits for the required items');
      for (const sop of ['confirm_need', 'identify_dm']) {
        const box = testId(page, `drawer-sop-discovery-${sop}`);
        await box.click();
        await eventually(async () => assert.ok(await box.isChecked()));
      }
      await drawer.getByText('必做事项已完成，可以推进了。').waitFor();
      await screenshot(page, 'sales-day-sop-drawer-zh-CN.png');
      await moveButton.click();
      await toast(page, '阶段已更新').waitFor();
      await drawer.waitFor({ state: 'detached' });
      await testId(page, 'kanban-col-solution').locator(`[data-testid="kanban-card-${oppId}"]`).waitFor();
      assert.equal((await sales.get<any>(`/records/opportunity/${oppId}`)).stage, 'solution');
      // On its new stage the card counts that stage's checklist.
      await eventually(async () =>
        assert.match(await visibleText(testId(card, 'card-sop-progress')), /^0\/\d$/),
      );

      // ── Opportunity page: the history says each SOP item once and the move once.
      await card.click();
      await page.waitForURL(new RegExp(`/o/opportunity/${oppId}$`));
      await testId(page, 'opportunity-page').waitFor();
      const next = testId(page, 'stage-next');
      assert.equal(await visibleText(next), '推进到「信任构建」');
      const history = testId(page, 'timeline');
      await eventually(async () => {
        const text = await visibleText(history);
        assert.equal(text.match(/完成 SOP：确认客户核心需求与痛点/g)?.length, 1);
        assert.equal(text.match(/完成 SOP：识别决策人与决策链/g)?.length, 1);
        assert.equal(text.match(/阶段变更/g)?.length, 1);
        assert.doesNotMatch(text, /sop_done/);
      });
      await screenshot(page, 'sales-day-opportunity-history-zh-CN.png');

      // ── Quote with a 20 % discount (over the 15 % threshold): needs approval.
      await testId(page, 'new-quote').click();
      await page.waitForURL(/\/o\/quote\/[0-9a-f-]{36}$/);
      const quoteId = page.url().split('/').pop()!;
      await testId(page, 'quote-page').waitFor();
      assert.equal(await visibleText(testId(page, 'quote-status')), '草稿');
      await page.getByPlaceholder('或输入名称').first().fill('门店数字化套件（年度）');
      await testId(page, 'line-price-0').fill('100000');
      await testId(page, 'line-discount-0').fill('20');
      await testId(page, 'line-discount-0').blur();
      const needs = testId(page, 'approval-needed');
      await needs.waitFor();
      assert.match(await visibleText(needs), /折扣超出权限，提交后需审批/);
      // 100 000 × 80 % = 80 000, + 13 % tax = 90 400.
      await eventually(async () =>
        assert.match(await visibleText(testId(page, 'quote-total')), /90,400\.00/),
      );
      await testId(page, 'submit-quote').click();
      await toast(page, '已提交审批').waitFor();
      await eventually(async () => assert.equal(await visibleText(testId(page, 'quote-status')), '审批中'));
      await page.getByText('报价单正在审批中，审批结束前不能修改').waitFor();

      // Who must approve: the flow's current step names the unit manager, 张伟.
      const mine = await sales.get<{ items: any[] }>('/approvals?box=mine');
      const request = mine.items.find((r) => r.recordId === quoteId);
      assert.ok(request, 'the approval request is listed under 我发起的');
      const detail = await sales.get<any>(`/approvals/${request.id}`);
      assert.ok(
        JSON.stringify(detail).includes(manager.id) || JSON.stringify(detail).includes(manager.name),
        `the approver is ${manager.name}: ${JSON.stringify(detail).slice(0, 600)}`,
      );

      // ── The manager approves on a phone (390×844).
      phone = await newPage(kehu.browser, kehu.server, {
        viewport: { width: 390, height: 844 },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
      });
      const m = phone.page;
      await login(m, MANAGER);
      await m.goto('/sales/approvals');
      await testId(m, 'approvals-page').waitFor();
      const reqCard = testId(m, `approval-${request.id}`);
      await reqCard.waitFor();
      assert.match(await visibleText(reqCard), /孙磊/);
      assert.match(await visibleText(reqCard), /综合折扣 20%/);
      const box = await reqCard.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, 'the request card fits the phone width');
      await reqCard.tap();
      const approvalDetail = testId(m, 'approval-detail');
      await approvalDetail.waitFor();
      assert.match(await visibleText(approvalDetail), /20%/);
      await testId(m, 'approval-comment').fill('同意，本月冲量');
      // The drawer slides in to the full phone width: all three decisions are on screen.
      await eventually(async () => {
        for (const id of ['approve', 'return', 'reject']) {
          const b = await testId(m, id).boundingBox();
          assert.ok(b && b.x >= 0 && b.x + b.width <= 390.5, `${id} is on screen: ${JSON.stringify(b)}`);
        }
      });
      const approve = testId(m, 'approve');
      await screenshot(m, 'sales-day-approval-390-zh-CN.png');
      await approve.tap();
      await toast(m, '已通过').waitFor();
      await approvalDetail.waitFor({ state: 'detached' });

      // ── The salesperson sees the quote approved.
      await page.reload();
      await eventually(async () => assert.equal(await visibleText(testId(page, 'quote-status')), '已批准'));
      // The approval history is its own query: wait for the manager's comment to arrive.
      await page.getByText('同意，本月冲量').first().waitFor();

      // ── Contract → order → receipt, by the store manager (the salesperson has no contract:create
      // or payment:create in the demo roles), on the phone as well.
      await m.goto(`/o/quote/${quoteId}`);
      await testId(m, 'to-contract').tap();
      await m.waitForURL(/\/o\/contract\/[0-9a-f-]{36}$/);
      await testId(m, 'contract-page').waitFor();
      await testId(m, 'contract-to-active').tap();
      await m.getByText('已生效', { exact: true }).waitFor();
      await testId(m, 'to-order').tap();
      await m.waitForURL(/\/o\/order\/[0-9a-f-]{36}$/);
      const orderId = m.url().split('/').pop()!;
      await testId(m, 'order-page').waitFor();
      assert.equal(await visibleText(testId(m, 'payment-status')), '未收款');
      if (await testId(m, 'order-to-confirmed').count()) {
        await testId(m, 'order-to-confirmed').tap();
        await eventually(async () => assert.equal(await visibleText(testId(m, 'order-status')), '已确认'));
      }
      await testId(m, 'add-receipt').tap();
      const receipt = m.locator('.ant-modal', { hasText: '登记收款' });
      await receipt.waitFor();
      assert.equal(await testId(m, 'receipt-amount').inputValue(), '90400.00');
      await receipt.getByRole('button', { name: /确\s*定|OK/ }).tap();
      await receipt.waitFor({ state: 'hidden' });
      await eventually(async () => assert.equal(await visibleText(testId(m, 'payment-status')), '已收齐'));
      const order = await admin.get<any>(`/records/order/${orderId}`);
      assert.equal(order.paymentStatus, 'paid');
      assert.equal(order.paidAmount.amount, 9_040_000);

      // ── Customer 360, the salesperson's view: his opportunity, quote, call and the whole history,
      // and the contract and order the manager made from his quote (they follow the deal's owner).
      await page.goto(`/sales/customers/${customerId}`); // the old 客户360 URL: the one customer page
      const c360 = testId(page, 'one-customer');
      await c360.waitFor();
      await eventually(async () => {
        const text = await visibleText(c360);
        assert.match(text, new RegExp(COMPANY));
        assert.match(text, /商机 \(1\)/);
        assert.match(text, /联系人 \(1\)/);
        assert.match(text, /报价 \(1\)/);
        assert.match(text, /合同 \(1\)/);
        assert.match(text, /订单 \(1\)/);
        assert.match(text, /跟进 \(2\)/);
      });
      await testId(page, 'section-timeline').scrollIntoViewIfNeeded();
      await testId(page, 'profile-timeline').waitFor();
      await eventually(async () => {
        const timeline = await visibleText(testId(page, 'profile-timeline'));
        assert.match(timeline, /首次电话：了解门店数字化需求/); // the call logged on the lead
        assert.match(timeline, /需求挖掘 → 方案定制/); // stage labels, not keys
        assert.doesNotMatch(timeline, /discovery|approval_|sop_done/);
        assert.match(timeline, /审批通过 · 张伟[\s\S]*同意，本月冲量/);
      });

      // ── The manager's desktop: customer 360 with the paid order, and the dashboard funnel.
      desk = await newPage(kehu.browser, kehu.server);
      const d = desk.page;
      await login(d, MANAGER);
      await d.goto(`/o/customer/${customerId}`);
      const mc360 = testId(d, 'one-customer');
      await mc360.waitFor();
      await eventually(async () => {
        const text = await visibleText(mc360);
        assert.match(text, new RegExp(COMPANY));
        assert.match(text, /合同 \(1\)/);
        assert.match(text, /订单 \(1\)/);
        assert.match(text, /收款 \(1\)/);
        assert.match(text, /已回款\s*¥9\.0万/);
      });
      assert.equal(await visibleText(testId(d, 'pipeline-value-tag')), '未来商机价值: 中');
      await screenshot(d, 'sales-day-customer360-zh-CN.png');

      // Dashboard funnel: 线索 → 客户 → 商机 → 订单, each counting at least today's record.
      await d.goto('/sales/dashboard');
      await testId(d, 'sales-dashboard').waitFor();
      for (const [key, label] of [
        ['lead', '线索'],
        ['customer', '客户'],
        ['opportunity', '商机'],
        ['order', '订单'],
      ] as const) {
        const kpi = testId(d, `kpi-${key}`);
        await kpi.waitFor();
        const text = await visibleText(kpi);
        assert.match(text, new RegExp(label));
        assert.ok(
          Number(text.replace(/,/g, '').match(/\d+/)?.[0] ?? 0) >= 1,
          `${label} counts today's record: ${text}`,
        );
      }
      await testId(d, 'chart-funnel').locator('canvas').waitFor();
      await d.waitForLoadState('networkidle');
      await screenshot(d, 'sales-day-funnel-zh-CN.png');
    } catch (e) {
      await failureScreenshot(page, 'failure-sales-day.png');
      if (phone) await failureScreenshot(phone.page, 'failure-sales-day-phone.png');
      if (desk) await failureScreenshot(desk.page, 'failure-sales-day-manager.png');
      throw e;
    } finally {
      await desk?.context.close();
      await phone?.context.close();
      await context.close();
    }
  });
});

// 费用与活动 (TPM, issue 14) end to end, shortened: HQ allocates a display budget to a branch in the
// budgets tree; a dealer proposes a 陈列 activity and the branch approves it; the rep at the store
// uploads proof on a 390 px phone inside the geofence, and a re-used photo is flagged; the reviewer
// verifies; the amount lands in the dealer's expense pool; the dealer orders in the portal using it,
// and the month's statement shows order, deduction and balance and is confirmed on the phone.
// Another dealer sees none of it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demoShelfPhoto } from '../apps/server/src/modules/trade-promotion/demo-photo.ts';
import {
  apiLogin,
  chooseOption,
  failureScreenshot,
  login,
  newPage,
  screenshot,
  testId,
  typeInto,
  useServerAndBrowser,
} from './support.ts';

describe('trade promotion', () => {
  const kehu = useServerAndBrowser();

  it('allocate, propose, approve, prove on a phone, flag a re-used photo, verify into the expense pool', {
    timeout: 300_000,
  }, async () => {
    const { page } = await newPage(kehu.browser, kehu.server);
    // The rep stands 20 m from 浦东张江店 (GPS gives WGS-84; the store is on file in GCJ-02).
    const phone = await newPage(kehu.browser, kehu.server, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      geolocation: { longitude: 121.5864, latitude: 31.2052, accuracy: 15 },
      permissions: ['geolocation'],
    });
    try {
      // 1. HQ allocates display budget to 华东大区 in the budgets tree.
      await login(page, 'wang.jianguo');
      await page.goto('/tpm/budgets');
      await testId(page, 'tpm-allocate-示例集团总部').first().waitFor();
      await screenshot(page, 'tpm-budgets-1366-zh-CN.png');
      const hq = await apiLogin(kehu.server.url, 'wang.jianguo');
      const before = (await hq.get<{ items: any[] }>('/tpm/budgets')).items;
      const ecDisplay = before.find((b) => b.unitName === '华东大区' && b.expenseType === 'display');
      await testId(page, 'tpm-allocate-示例集团总部').first().click();
      await chooseOption(page, testId(page, 'tpm-allocate-unit'), '华东大区');
      await typeInto(testId(page, 'tpm-allocate-amount'), '50000');
      await testId(page, 'tpm-allocate-ok').click();
      await testId(page, 'tpm-allocate-ok').waitFor({ state: 'hidden' });
      const after = (await hq.get<{ items: any[] }>('/tpm/budgets')).items;
      const ecNow = after.find((b) => b.id === ecDisplay.id);
      assert.equal(ecNow.amount - ecDisplay.amount, 50_000_00);

      // 2. The dealer proposes a 陈列 activity on its own display budget; the branch approves.
      const zhang = await apiLogin(kehu.server.url, 'zhang.wei');
      const budgets = (await zhang.get<{ items: any[] }>('/tpm/budgets')).items;
      const mine = budgets.find(
        (b) => b.unitName === '上海浦东汽车销售服务有限公司' && b.expenseType === 'display',
      );
      const stores = (await zhang.get<{ items: any[] }>('/tpm/stores')).items;
      const zhangjiang = stores.find((s) => s.unitName === '浦东张江店');
      const name = `元旦端架陈列 ${Date.now().toString(36)}`;
      const activity = await zhang.post<any>('/tpm/activities', {
        name,
        activityType: 'display',
        dealerUnitId: mine.unitId,
        storeUnitIds: [zhangjiang.unitId],
        startsOn: `${mine.year}-06-01`,
        endsOn: `${mine.year}-06-30`,
        lines: [{ budgetId: mine.id, amount: 6_000_00 }],
      });
      await zhang.post(`/tpm/activities/${activity.id}/submit`, {});
      const chen = await apiLogin(kehu.server.url, 'chen.zhiqiang');
      const inbox = await chen.get<{ items: any[] }>('/approvals');
      const req = inbox.items.find((r) => r.recordId === activity.id);
      await chen.post(`/approvals/${req.id}/approve`, { comment: '同意' });

      // 3. The rep uploads proof on the phone: accepted inside the geofence; the same picture again is flagged.
      await login(phone.page, 'sun.lei');
      await phone.page.goto('/tpm/proof');
      await chooseOption(phone.page, testId(phone.page, 'tpm-proof-activity'), name);
      await testId(phone.page, 'tpm-proof-located').waitFor();
      const photo = await demoShelfPhoto(Date.now() % 100_000, { capturedAt: new Date() });
      const file = { name: 'shelf.jpg', mimeType: 'image/jpeg', buffer: photo };
      await testId(phone.page, 'tpm-proof-file').setInputFiles(file);
      await testId(phone.page, 'tpm-proof-result').and(phone.page.locator('.ant-alert-success')).waitFor();
      await screenshot(phone.page, 'tpm-proof-390-zh-CN.png');
      await testId(phone.page, 'tpm-proof-file').setInputFiles({ ...file, name: 'shelf-again.jpg' });
      await testId(phone.page, 'tpm-flag-duplicate_photo').first().waitFor();
      await screenshot(phone.page, 'tpm-proof-flagged-390-zh-CN.png');
      await phone.page.getByRole('button', { name: /提交核销/ }).click();
      await phone.page.getByRole('button', { name: /提交核销/ }).waitFor({ state: 'detached' });

      // Another dealer sees none of it.
      const liu = await apiLogin(kehu.server.url, 'liu.yang');
      await assert.rejects(liu.get(`/tpm/activities/${activity.id}`), /404/);

      // 4. The reviewer verifies: sampled (a flagged photo), so a comment and a look at the photos.
      await login(page, 'chen.zhiqiang');
      await page.goto('/tpm/review');
      await testId(page, 'tpm-queue-item').filter({ hasText: name }).click();
      await testId(page, 'tpm-proof').first().waitFor();
      await screenshot(page, 'tpm-review-1366-zh-CN.png');
      await typeInto(testId(page, 'tpm-verify-amount'), '5500');
      await testId(page, 'tpm-verify-comment').fill('重复照片不计，核减 500 元');
      await testId(page, 'tpm-verify-reviewed').check();
      await testId(page, 'tpm-verify').click();
      await testId(page, 'tpm-verified').waitFor();

      // 5. The amount is in 上海浦东's expense pool.
      await login(page, 'zhang.wei');
      await page.goto('/tpm/pools');
      await testId(page, 'tpm-pool-item').first().waitFor();
      await page.getByText(`TPM 核销 · ${name}`).waitFor();
      await screenshot(page, 'tpm-pools-1366-zh-CN.png');
      const pool = await zhang.get<any>(`/tpm/pools/${mine.unitId}`);
      assert.equal(pool.entries[0].amount, 5_500_00);
      await assert.rejects(liu.get(`/tpm/pools/${mine.unitId}`), /404/);
      await page.goto('/tpm/activities');
      await page.getByText(name).first().click();
      await testId(page, 'tpm-activity-status').filter({ hasText: '已核销' }).waitFor();
      await screenshot(page, 'tpm-activity-1366-zh-CN.png');

      // 6. The dealer orders in the portal and uses the pool on it (the order is charged at submit).
      const items = (await zhang.get<{ items: any[] }>('/dealers/catalogue')).items;
      const first = items[0];
      const gross = first.price * first.minOrderQty;
      const use = Math.min(gross, 100_00);
      await page.goto('/dealers/portal');
      await testId(page, 'dms-catalogue-item')
        .first()
        .getByRole('button', { name: /加\s*入/ })
        .click();
      await typeInto(testId(page, 'dms-pool'), String(use / 100));
      await testId(page, 'dms-submit').click();
      await page.getByText(/订单 DO.* 已提交/).waitFor();
      const order = (await zhang.get<{ items: any[] }>('/dealers/orders')).items.find(
        (o) => o.status === 'pending' && o.poolDeduction === use,
      );
      assert.ok(order, 'the portal order is pending approval with the pool deduction');
      const poolAfter = await zhang.get<any>(`/tpm/pools/${mine.unitId}`);
      assert.equal(poolAfter.account.balance, pool.account.balance - use);

      // 7. HQ re-issues the month's statement (nothing confirmed yet); the dealer reads it on the phone
      // — order, deduction, balance — and confirms it.
      const period = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
      const st = await hq.post<any>('/dealers/statements', {
        dealerUnitId: mine.unitId,
        period,
        reissue: true,
      });
      assert.ok(st.lines.some((l: any) => l.kind === 'order' && l.ref === order.orderNo));
      assert.ok(st.lines.some((l: any) => l.kind === 'pool_deduction' && l.amount === use));
      const account = await zhang.get<any>(`/dealers/accounts/${mine.unitId}`);
      assert.equal(st.closing, account.balance);
      await login(phone.page, 'zhang.wei');
      await phone.page.goto('/dealers/statements');
      await phone.page.getByText(order.orderNo).first().waitFor();
      const closing = (await testId(phone.page, 'dms-statement-closing').textContent()) ?? '';
      assert.equal(closing.replace(/[^\d.-]/g, ''), (st.closing / 100).toFixed(2));
      await screenshot(phone.page, 'dms-statement-390-zh-CN.png');
      await phone.page.getByRole('button', { name: /全部确认/ }).click();
      await phone.page.getByRole('button', { name: /全部确认/ }).waitFor({ state: 'detached' });
      assert.equal((await zhang.get<any>(`/dealers/statements/${st.id}`)).status, 'confirmed');

      // Another dealer's user sees none of it.
      await assert.rejects(liu.get(`/dealers/orders/${order.id}`), /404/);
      await assert.rejects(liu.get(`/dealers/statements/${st.id}`), /404/);
      const theirs = (await liu.get<{ items: any[] }>('/dealers/statements')).items;
      assert.ok(!theirs.some((x) => x.id === st.id));
    } catch (err) {
      await failureScreenshot(page, 'tpm-failure-desktop.png');
      await failureScreenshot(phone.page, 'tpm-failure-phone.png');
      throw err;
    }
  });
});

// Foundation browser tests: what an administrator, a read-only service agent and a phone user see.
// One real Kehu server (embedded PGlite, demo tenant) for the file; a fresh browser context per test.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import {
  apiLogin,
  chooseOption,
  eventually,
  failureScreenshot,
  login,
  logout,
  newPage,
  parseCsv,
  resultsPath,
  switchLanguage,
  testId,
  useServerAndBrowser,
  visibleText,
} from './support.ts';

/** A record's title: the generic record page's, or the one customer page's (person layout). */
const recordTitle = (page: Page) =>
  page.locator('[data-testid="record-title"], [data-testid="person-title"]');

/** What one language shows, and the custom field a test creates in that language. */
interface Flow {
  lang: 'zh-CN' | 'en-US';
  customers: string;
  newButton: string;
  objectsAndFields: string;
  picklistType: string;
  nameHeader: string;
  phoneHeader: string;
  loginTitle: string;
  field: { apiName: string; zh: string; en: string; shown: string };
  options: { value: string; zh: string; en: string }[];
  /** The option the new customer gets (index into options) and its label in this language. */
  pick: { index: number; shown: string };
  customerName: string;
  phone: string;
}

const stamp = Date.now().toString(36);

const ZH: Flow = {
  lang: 'zh-CN',
  customers: '客户',
  newButton: '新建',
  objectsAndFields: '对象与字段',
  picklistType: '单选',
  nameHeader: '客户名称',
  phoneHeader: '电话',
  loginTitle: '登录',
  field: { apiName: 'intent_model', zh: '意向车型', en: 'Intended model', shown: '意向车型' },
  options: [
    { value: 'l6', zh: '理想 L6', en: 'Li L6' },
    { value: 'su7', zh: '小米 SU7', en: 'Xiaomi SU7' },
    { value: 'han', zh: '比亚迪 汉', en: 'BYD Han' },
  ],
  pick: { index: 1, shown: '小米 SU7' },
  customerName: `端到端测试客户 ${stamp}`,
  phone: '13912345678',
};

const EN: Flow = {
  lang: 'en-US',
  customers: 'Customers',
  newButton: 'New',
  objectsAndFields: 'Objects & fields',
  picklistType: 'Picklist',
  nameHeader: 'Name',
  phoneHeader: 'Phone',
  loginTitle: 'Sign in',
  field: { apiName: 'trim_level', zh: '配置等级', en: 'Trim level', shown: 'Trim level' },
  options: [
    { value: 'std', zh: '标准版', en: 'Standard' },
    { value: 'pro', zh: '长续航版', en: 'Long range' },
    { value: 'max', zh: '旗舰版', en: 'Flagship' },
  ],
  pick: { index: 2, shown: 'Flagship' },
  customerName: `E2E Test Customer ${stamp}`,
  phone: '13687654321',
};

const MASKED_PHONE = /^1\d{2}\*{4}\d{4}$/;
const FULL_PHONE = /^1\d{10}$/;

const kehu = useServerAndBrowser();

/** Runs a test body in a fresh context; on failure saves a screenshot next to list-390.png. */
async function inContext(
  name: string,
  body: (page: Page, context: BrowserContext) => Promise<void>,
  options: Parameters<typeof newPage>[2] = {},
): Promise<void> {
  const { context, page } = await newPage(kehu.browser, kehu.server, options);
  const violations = watchCspViolations(page);
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  try {
    await body(page, context);
    // Every flow in this file runs under the app's Content-Security-Policy: nothing it needs is blocked.
    assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
  } catch (e) {
    await failureScreenshot(page, `failure-${name}.png`);
    throw e;
  } finally {
    await context.close();
  }
}

/** Console reports of anything the Content-Security-Policy blocked, from the browser or the page. */
function watchCspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (msg) => {
    const text = msg.text();
    if (/Content Security Policy|CSP violation/i.test(text)) seen.push(text);
  });
  return seen;
}

/** Data rows of the desktop record table (not the measure row). */
const tableRows = (page: Page) => testId(page, 'record-table').locator('tbody tr.ant-table-row');

/** The texts of one column of the record table, by its header. */
async function columnTexts(page: Page, header: string): Promise<string[]> {
  return testId(page, 'record-table').evaluate((table, h) => {
    const ths = [...table.querySelectorAll('thead tr:last-child th')].filter(
      (th) => !th.classList.contains('ant-table-cell-scrollbar'),
    );
    const idx = ths.findIndex((th) => th.textContent?.trim() === h);
    if (idx < 0) throw new Error(`no column "${h}" in ${ths.map((th) => th.textContent).join(' | ')}`);
    return [...table.querySelectorAll('tbody tr.ant-table-row')].map(
      (tr) => tr.querySelectorAll('td')[idx]?.textContent?.trim() ?? '',
    );
  }, header);
}

/**
 * The administrator's round trip in one language: custom picklist field → new customer using it →
 * detail → filter by it → CSV export with it → sign out.
 */
/** Unfolds a group of the side navigation (客户, 设置 …) unless it is open already. */
async function openNavGroup(page: Page, group: string): Promise<void> {
  const title = testId(page, `nav-group-${group}`);
  await title.waitFor();
  if (!(await page.locator('li.ant-menu-submenu-open').filter({ has: title }).count())) await title.click();
}

/** Opens a page from the side navigation: unfolds its group, clicks the entry, waits for the URL. */
async function openFromNav(page: Page, group: string, item: string, url: RegExp): Promise<void> {
  // The group unfolds with an animation: click again if the first click landed while it moved.
  await eventually(async () => {
    await openNavGroup(page, group);
    await testId(page, item).click({ timeout: 3_000 });
    await page.waitForURL(url, { timeout: 3_000 });
  });
}

async function customFieldRoundTrip(page: Page, L: Flow): Promise<void> {
  // Admin › Objects & fields › 客户: add the picklist field.
  await openFromNav(page, 'settings', 'nav-admin-objects', /\/admin\/objects/);
  await page.getByRole('heading', { name: L.objectsAndFields }).waitFor();
  await testId(page, 'object-customer').click();
  await testId(page, 'fields-table').waitFor();
  await testId(page, 'field-create').click();
  const editor = testId(page, 'field-editor');
  await editor.waitFor();
  await testId(page, 'field-label-zh').fill(L.field.zh);
  await testId(page, 'field-label-en').fill(L.field.en);
  await testId(page, 'field-api-name').fill(L.field.apiName);
  await chooseOption(page, testId(page, 'field-type'), L.picklistType, L.picklistType);
  for (const [i, o] of L.options.entries()) {
    await testId(page, 'option-add').click();
    const row = testId(page, 'options-editor').locator(':scope > .ant-space').nth(i);
    const inputs = row.locator('input');
    await inputs.nth(0).fill(o.value);
    await inputs.nth(1).fill(o.zh);
    await inputs.nth(2).fill(o.en);
  }
  await page.locator('.ant-modal').getByTestId('save-button').click();
  await editor.waitFor({ state: 'detached' });
  const apiName = `c_${L.field.apiName}`;
  const fieldRow = testId(page, 'fields-table').locator('tr', { hasText: apiName });
  await fieldRow.waitFor();
  assert.match(await visibleText(fieldRow), new RegExp(L.field.shown));

  // 客户 list → 新建: a customer with a phone and the new field.
  await openFromNav(page, 'customers', 'nav-item-customer', /\/o\/customer(\?|$)/);
  await eventually(async () => assert.equal(await visibleText(testId(page, 'list-title')), L.customers));
  assert.equal(await visibleText(testId(page, 'new-record')), L.newButton);
  await tableRows(page).first().waitFor();
  await testId(page, 'new-record').click();
  await testId(page, 'record-form').waitFor();
  await testId(page, 'field-name').fill(L.customerName);
  await testId(page, 'field-phone').fill(L.phone);
  await chooseOption(page, testId(page, `field-${apiName}`), L.pick.shown);
  await testId(page, 'save-button').click();

  // The detail page shows it.
  await page.waitForURL(/\/o\/customer\/[0-9a-f-]{36}$/);
  const recordUrl = page.url();
  await eventually(async () => assert.equal(await visibleText(recordTitle(page)), L.customerName));
  assert.equal(await visibleText(testId(page, `value-${apiName}`)), L.pick.shown);
  assert.equal(await visibleText(testId(page, 'value-phone')), L.phone);

  // Back to the list; the filter builder narrows it to that one record.
  await openFromNav(page, 'customers', 'nav-item-customer', /\/o\/customer(\?|$)/);
  await tableRows(page).first().waitFor();
  assert.ok((await tableRows(page).count()) > 1, 'the unfiltered list shows the demo customers too');
  await testId(page, 'filter-button').click();
  const drawer = page.locator('.ant-drawer-content', { has: testId(page, 'filter-apply') });
  await drawer.waitFor();
  const condition = testId(drawer, 'filter-condition').first();
  await chooseOption(page, testId(condition, 'filter-field'), L.field.shown, L.field.shown);
  await chooseOption(page, testId(condition, 'filter-value'), L.pick.shown);
  await testId(page, 'filter-apply').click();
  await drawer.waitFor({ state: 'hidden' });
  await eventually(async () => {
    assert.equal(await tableRows(page).count(), 1);
    assert.match(await visibleText(tableRows(page).first()), new RegExp(L.customerName));
  });
  await page.screenshot({ path: resultsPath(`list-filtered-${L.lang}.png`) });
  const link = tableRows(page).first().getByTestId('record-link');
  assert.equal(await link.getAttribute('href'), new URL(recordUrl).pathname);

  // Show the custom field as a column, so the export carries it too.
  await testId(page, 'column-chooser').click();
  await testId(page, `column-${apiName}`).check();
  await page.keyboard.press('Escape');
  await eventually(async () => assert.deepEqual(await columnTexts(page, L.field.shown), [L.pick.shown]));

  // Export CSV: UTF-8 BOM, headers in this language, only the filtered record, custom field present.
  await testId(page, 'export-button').click();
  const [download] = await Promise.all([page.waitForEvent('download'), testId(page, 'export-csv').click()]);
  assert.match(download.suggestedFilename(), /\.csv$/);
  const bytes = await readFile(await download.path());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'CSV starts with a UTF-8 BOM');
  const rows = parseCsv(bytes.subarray(3).toString('utf8')).filter((r) => r.some((c) => c !== ''));
  const [header, ...data] = rows;
  assert.ok(header, 'CSV has a header row');
  for (const h of [L.nameHeader, L.phoneHeader, L.field.shown])
    assert.ok(header.includes(h), `CSV header has "${h}": ${header.join(',')}`);
  assert.equal(data.length, 1, `only the filtered record is exported: ${JSON.stringify(data)}`);
  const row = data[0]!;
  assert.equal(row[header.indexOf(L.nameHeader)], L.customerName);
  assert.equal(row[header.indexOf(L.phoneHeader)], L.phone);
  assert.equal(row[header.indexOf(L.field.shown)], L.pick.shown);

  // Sign out: the login page, and the list is behind the login again.
  await logout(page);
  assert.equal(new URL(page.url()).pathname, '/login');
  await page.getByRole('heading', { name: L.loginTitle, exact: true }).waitFor();
  await page.goto('/o/customer');
  await testId(page, 'login-form').waitFor();
  const after = new URL(page.url());
  assert.equal(after.pathname, '/login');
  assert.equal(after.searchParams.get('next'), '/o/customer');
  assert.equal(await testId(page, 'list-title').count(), 0);
}

describe('Kehu in the browser (foundation)', () => {
  it('lets an administrator add a custom picklist field in Chinese and use it to create, filter and export customers, then sign out', async () => {
    await inContext('zh-CN', async (page) => {
      await page.goto('/o/customer');
      await testId(page, 'login-form').waitFor();
      await page.getByRole('heading', { name: ZH.loginTitle, exact: true }).waitFor();
      await login(page, 'admin');
      await openNavGroup(page, 'customers');
      await eventually(async () =>
        assert.equal(await visibleText(testId(page, 'nav-item-customer')), ZH.customers),
      );
      await customFieldRoundTrip(page, ZH);
    });
  });

  it('sends a visitor of the site root to the login page', async () => {
    await inContext('root', async (page) => {
      const res = await page.goto('/');
      assert.equal(res?.status(), 200);
      const headers = res!.headers();
      assert.match(headers['content-security-policy'] ?? '', /script-src 'self';/);
      assert.match(headers['content-security-policy'] ?? '', /frame-ancestors 'none'/);
      assert.equal(headers['x-frame-options'], 'DENY');
      assert.equal(headers['x-content-type-options'], 'nosniff');
      await testId(page, 'login-form').waitFor({ timeout: 5_000 });
    });
  });

  it('does the same in English once the user switches the language, and keeps English after signing out', async () => {
    try {
      await inContext(
        'en-US',
        async (page) => {
          await page.goto('/login');
          await login(page, 'admin');
          // The saved locale is zh-CN; switch in the shell (saved on the user).
          await switchLanguage(page, 'en-US');
          await openNavGroup(page, 'customers');
          await eventually(async () =>
            assert.equal(await visibleText(testId(page, 'nav-item-customer')), EN.customers),
          );
          assert.equal(await page.evaluate(() => document.documentElement.lang), 'en-US');
          await customFieldRoundTrip(page, EN);
          // The login page after signing out stays English.
          assert.equal((await visibleText(testId(page, 'login-submit'))).replace(/\s/g, ''), 'Signin');
        },
        { locale: 'en-US' },
      );
    } finally {
      // Leave the administrator's saved language as seeded, for the other tests.
      const admin = await apiLogin(kehu.server.url, 'admin');
      await admin.patch('/auth/me', { locale: 'zh-CN' });
    }
  });

  it('shows a 客服专员 masked phones, no 新建 button, and not-found for another dealer’s customer opened by URL', async () => {
    // Customers in and out of 周晓燕's scope (华东大区), looked up as the administrator.
    const admin = await apiLogin(kehu.server.url, 'admin');
    const me = await admin.get<{ units: { id: string; name: string }[] }>('/auth/me');
    const unitId = (name: string) => me.units.find((u) => u.name === name)!.id;
    const pick = async (unit: string) =>
      (
        await admin.get<{ items: { id: string; name: string; phone: string | null }[] }>(
          `/records/customer?limit=50&unit=${unitId(unit)}`,
        )
      ).items.find((c) => c.phone)!;
    const outside = await pick('深圳南山汽车销售服务有限公司');
    const inside = await pick('上海浦东汽车销售服务有限公司');
    assert.ok(outside && inside);

    await inContext('agent', async (page) => {
      await page.goto('/login');
      await login(page, 'zhou.xiaoyan');
      await openFromNav(page, 'customers', 'nav-item-customer', /\/o\/customer(\?|$)/);
      await tableRows(page).first().waitFor();
      assert.equal(await visibleText(testId(page, 'list-title')), '客户');
      // A read-only role sees 新建 disabled, saying which right it lacks (issue 9 §4).
      assert.ok(await testId(page, 'new-record').isDisabled(), 'a read-only role cannot press 新建');
      assert.equal(
        await testId(page, 'new-record-locked').getAttribute('data-reason'),
        '需要 新建客户 权限，请联系管理员',
      );
      assert.equal(await testId(page, 'import-button').count(), 0);

      await page.screenshot({ path: resultsPath('list-agent.png') });
      const phones = (await columnTexts(page, '电话')).filter((p) => p && p !== '—');
      assert.ok(phones.length > 0, 'some customers have phones');
      for (const p of phones) {
        assert.match(p, MASKED_PHONE);
        assert.doesNotMatch(p, FULL_PHONE);
      }

      // A customer in her region opens, with the phone still masked …
      await page.goto(`/o/customer/${inside.id}`);
      await eventually(async () => assert.equal(await visibleText(recordTitle(page)), inside.name));
      const phone = await visibleText(testId(page, 'value-phone'));
      assert.match(phone, MASKED_PHONE);
      assert.notEqual(phone, inside.phone);

      // … another dealer's customer is "not found", and none of its data reaches the page.
      await page.goto(`/o/customer/${outside.id}`);
      await page.getByText('页面不存在').waitFor();
      await page.getByText('记录不存在、已被删除，或不在您的数据范围内。').waitFor();
      assert.equal(await recordTitle(page).count(), 0);
      const text = await visibleText(page.locator('body'));
      assert.ok(!text.includes(outside.name), 'the other dealer’s customer name is not shown');
      assert.ok(!text.includes(outside.phone!), 'nor its phone');
    });
  });

  it('on a phone, an administrator sets the organisation’s time zone from the 组织设置 page', async () => {
    await inContext(
      'organisation',
      async (page) => {
        await page.goto('/login');
        await login(page, 'admin');
        await page.goto('/admin/organisation');
        const zone = testId(page, 'organisation-time-zone');
        await zone.waitFor();
        await eventually(async () => assert.match(await visibleText(zone), /Asia\/Shanghai/));
        await chooseOption(page, zone, 'Europe/Berlin', 'Berlin');
        await page.getByText(/该时区现在是/).waitFor();
        await testId(page, 'organisation-name').click();
        await page.screenshot({ path: resultsPath('admin-organisation-390.png'), fullPage: true });
        await testId(page, 'organisation-save').click();
        await page.getByText('已保存').first().waitFor();
        const saved = await page.evaluate(async () => (await fetch('/api/v1/admin/organisation')).json());
        assert.equal(saved.timeZone, 'Europe/Berlin');
        const over = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(over <= 1, `the page scrolls sideways by ${over}px`);
        // Back as it was: other tests of this file count days in the demo's zone.
        await chooseOption(page, zone, 'Asia/Shanghai', 'Shanghai');
        await testId(page, 'organisation-save').click();
        await eventually(async () =>
          assert.equal(
            (await page.evaluate(async () => (await fetch('/api/v1/admin/organisation')).json())).timeZone,
            'Asia/Shanghai',
          ),
        );
      },
      { viewport: { width: 390, height: 844 } },
    );
  });

  it('on a 390×844 phone shows the nav as a drawer and the customer list as cards, without horizontal scrolling', async () => {
    await inContext(
      'phone',
      async (page) => {
        await page.goto('/login');
        await login(page, 'admin');
        const toggle = testId(page, 'nav-toggle');
        await toggle.waitFor();
        assert.equal(await page.locator('.ant-layout-sider').count(), 0, 'no side bar on a phone');
        assert.equal(await testId(page, 'nav-item-customer').isVisible(), false, 'nav starts closed');
        await toggle.click();
        await openFromNav(page, 'customers', 'nav-item-customer', /\/o\/customer(\?|$)/);
        await testId(page, 'record-cards').waitFor();
        await testId(page, 'record-card').first().waitFor();
        // The drawer closes on navigation.
        await testId(page, 'nav-item-customer').waitFor({ state: 'hidden' });
        await page.waitForLoadState('networkidle');

        assert.equal(await visibleText(testId(page, 'list-title')), '客户');
        assert.equal(await testId(page, 'record-table').count(), 0, 'no table on a phone');
        assert.ok((await testId(page, 'record-card').count()) > 1);
        const widths = await page.evaluate(() => ({
          scroll: document.scrollingElement!.scrollWidth,
          client: document.scrollingElement!.clientWidth,
        }));
        assert.ok(widths.scroll <= 390, `no horizontal scrollbar: scrollWidth ${widths.scroll}`);
        await page.screenshot({ path: resultsPath('list-390.png') });
      },
      { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    );
  });
});

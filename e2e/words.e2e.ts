// Words people read (issue 9 §3–§4) in zh-CN and en-US at 1366 and 390 px: a profile's timeline names
// events by the catalogue (浏览商品, not Product Viewed or track); the segment builder starts empty
// with examples, checks the name before sending, and the saved segment shows its rule in words with a
// member table that has headers; an analyst sees a disabled 新建 that says which right is missing.
// Screenshots go to test-results/words-*.png.
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
  postWithWriteKey,
  screenshot,
  switchLanguage,
  testId,
  useServerAndBrowser,
  visibleText,
} from './support.ts';

const stamp = Date.now().toString(36);
const USER = `words-${stamp}`;
let admin: ApiSession;
let profileId = '';

const kehu = useServerAndBrowser(async ({ server }) => {
  admin = await apiLogin(server.url, 'admin');
  const src = await admin.post('/cdp/sources', { name: `Words ${stamp}`, kind: 'web' });
  const msgs = [
    { type: 'identify', userId: USER, traits: { name: '顾晓雯', city: '深圳' } },
    { type: 'page', userId: USER, name: '首页', properties: { path: '/' } },
    { type: 'track', userId: USER, event: 'Product Viewed', properties: { sku: 'LOCK-X1', price: 1280 } },
    { type: 'track', userId: USER, event: 'Product Added', properties: { sku: 'LOCK-X1', quantity: 1 } },
  ];
  const r = await postWithWriteKey(server.url, '/v1/batch', src.writeKey, {
    batch: msgs.map((m, i) => ({ ...m, messageId: `${stamp}-${i}` })),
  });
  assert.equal(r.status, 200, await r.text());
  await eventually(async () => {
    const found = await admin.get(`/cdp/profiles?q=${USER}`);
    assert.equal(found.items.length, 1);
    profileId = found.items[0].id;
  }, 60_000);
});

const WORDS = {
  'zh-CN': {
    viewed: '浏览商品',
    added: '加入购物车',
    pageView: '页面浏览',
    example: '近30天浏览过商品的人',
    ruleWords: '近 30 天 浏览商品 ≥ 1 次',
    nameRequired: '请输入分群名称',
    nameHeader: '名称',
    enteredHeader: '加入时间',
    locked: '需要 分群管理 权限，请联系管理员',
    raw: /Product Viewed|Product Added|\btrack\b|\bidentify\b|\bpage\b|traits/,
  },
  'en-US': {
    viewed: 'Viewed a product',
    added: 'Added to cart',
    pageView: 'Page view',
    example: 'Viewed a product in the last 30 days',
    ruleWords: 'Viewed a product ≥ 1 times in the last 30 days',
    nameRequired: 'Enter a name for the segment',
    nameHeader: 'Name',
    enteredHeader: 'Joined',
    locked: 'Needs the “Manage segments” permission: ask your administrator',
    raw: /Product Viewed|Product Added|\btrack\b|\bidentify\b|traits/,
  },
} as const;
type Lang = keyof typeof WORDS;

/** Signs in and, for English, switches the language in the shell (saved on the user). */
async function signIn(page: Page, user: string, lang: Lang) {
  await login(page, user);
  const current = await page.evaluate(() => document.documentElement.lang);
  if (current === lang) return;
  await switchLanguage(page, lang);
  await eventually(async () => assert.equal(await page.evaluate(() => document.documentElement.lang), lang));
}

describe('words people read', () => {
  for (const lang of ['zh-CN', 'en-US'] as const)
    for (const width of [1366, 390])
      it(`names events, builds a segment from an example and explains a missing right (${lang}, ${width} px)`, {
        timeout: 240_000,
      }, async () => {
        const w = WORDS[lang];
        const tag = `${lang}-${width}`;
        const { context, page } = await newPage(kehu.browser, kehu.server, {
          locale: lang,
          viewport: { width, height: width > 500 ? 900 : 844 },
        });
        try {
          await signIn(page, 'admin', lang);

          // The timeline: display names and message types in words, never the codes.
          await page.goto(`/cdp/profiles/${profileId}`);
          const timeline = testId(page, 'profile-timeline');
          await eventually(async () => {
            const names = await testId(page, 'timeline-event-name').allTextContents();
            assert.ok(names.includes(w.viewed), `timeline names: ${names.join(', ')}`);
            assert.ok(names.includes(w.added), `timeline names: ${names.join(', ')}`);
          }, 30_000);
          const text = await visibleText(timeline);
          assert.ok(text.includes(w.pageView), text);
          assert.doesNotMatch(text, w.raw);
          await screenshot(page, `words-timeline-${tag}.png`);

          // The builder starts empty; a nameless segment is stopped before it is sent.
          await page.goto('/cdp/segments/new');
          await testId(page, 'segment-rule-empty').waitFor();
          assert.equal(await testId(page, 'rule-leaf').count(), 0);
          await testId(page, 'segment-save').click();
          await eventually(async () =>
            assert.ok((await visibleText(page.locator('form'))).includes(w.nameRequired)),
          );
          assert.match(page.url(), /\/cdp\/segments\/new/);
          await screenshot(page, `words-builder-empty-${tag}.png`);
          await testId(page, 'segment-example-viewed30').click();
          await testId(page, 'rule-leaf').first().waitFor();
          assert.equal(await testId(page, 'segment-name').inputValue(), w.example);
          // The picker shows the event by its name people read.
          assert.ok((await visibleText(testId(page, 'rule-event').first())).includes(w.viewed));
          await eventually(async () =>
            assert.ok(Number((await testId(page, 'segment-live-count').textContent())?.trim()) >= 1),
          );
          await eventually(async () =>
            assert.ok((await visibleText(testId(page, 'segment-rule-draft'))).includes(w.ruleWords)),
          );
          await screenshot(page, `words-builder-example-${tag}.png`);
          await testId(page, 'segment-name').fill(`${w.example} ${tag} ${stamp}`);
          await testId(page, 'segment-save').click();

          // The segment's page: its rule in words, members under headed columns.
          await testId(page, 'segment-page').waitFor();
          assert.ok((await visibleText(testId(page, 'segment-rule-words'))).includes(w.ruleWords));
          const members = testId(page, 'segment-members');
          await eventually(async () => {
            const headers = await members.locator('th').allTextContents();
            assert.ok(headers.includes(w.nameHeader), headers.join('|'));
            assert.ok(headers.includes(w.enteredHeader), headers.join('|'));
            assert.ok((await members.locator('[data-testid="segment-member"]').count()) >= 1);
          });
          await screenshot(page, `words-segment-${tag}.png`);
          await context.close();

          // An analyst reads segments but may not create them: the button says why.
          const analyst = await newPage(kehu.browser, kehu.server, {
            locale: lang,
            viewport: { width, height: width > 500 ? 900 : 844 },
          });
          try {
            await signIn(analyst.page, 'li.siyuan', lang);
            await analyst.page.goto('/cdp/segments');
            const locked = testId(analyst.page, 'segment-new-locked');
            await locked.waitFor();
            assert.equal(await locked.getAttribute('data-reason'), w.locked);
            assert.ok(await testId(analyst.page, 'segment-new').isDisabled());
            await locked.hover();
            await eventually(async () =>
              assert.ok((await visibleText(analyst.page.locator('.ant-tooltip').last())).includes(w.locked)),
            );
            await screenshot(analyst.page, `words-locked-${tag}.png`);
          } finally {
            await analyst.context.close();
          }
        } catch (e) {
          await failureScreenshot(page, `words-failure-${tag}.png`);
          throw e;
        } finally {
          await context.close().catch(() => {});
        }
      });

  it('keeps an event catalogue people can edit, and charts a source’s volume and a tag’s coverage', {
    timeout: 240_000,
  }, async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server);
    try {
      await signIn(page, 'admin', 'zh-CN');
      await page.goto('/cdp/events');
      const row = page.locator('[data-testid="catalogue-row"][data-event="Product Viewed"]');
      await eventually(async () =>
        assert.match(await visibleText(row), /浏览商品[\s\S]*Product Viewed[\s\S]*标准/),
      );
      assert.match(
        await visibleText(page.locator('[data-testid="catalogue-row"][data-event="首页"]')),
        /页面浏览/,
      );
      await screenshot(page, 'words-catalogue-zh-CN-1366.png');
      // Rename a standard event, see it everywhere it is listed, then restore the standard name.
      await row.locator('[data-testid="catalogue-edit"]').click();
      await testId(page, 'catalogue-zh').fill('看过商品');
      await testId(page, 'catalogue-save').click();
      await eventually(async () => assert.match(await visibleText(row), /看过商品[\s\S]*已自定义/));
      await row.getByRole('button', { name: /恢复默认/ }).click();
      await page.locator('.ant-modal-confirm .ant-btn-primary').click();
      await eventually(async () => assert.match(await visibleText(row), /浏览商品[\s\S]*标准/));

      await page.goto('/cdp/sources');
      await testId(page, 'source-volume-chart').waitFor();
      await screenshot(page, 'words-sources-volume-zh-CN-1366.png');
      await page.goto('/cdp/tags');
      await page.locator('.ant-table-row-expand-icon').first().click();
      await testId(page, 'tag-coverage-chart').waitFor();
      await screenshot(page, 'words-tag-coverage-zh-CN-1366.png');
    } catch (e) {
      await failureScreenshot(page, 'words-failure-catalogue.png');
      throw e;
    } finally {
      await context.close();
    }
  });
});

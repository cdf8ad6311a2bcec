// CDP pages on a 390 px phone: create a source and see its write key once, watch events and a
// rejection arrive in the live debugger, open the 360 profile, build a segment with a live count.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, login, newPage, postWithWriteKey, testId, useServerAndBrowser } from './support.ts';

const kehu = useServerAndBrowser();

describe('CDP web pages on a phone', () => {
  it('source, debugger, profile 360 and segment builder work at 390 px', async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await login(page, 'admin');
    await page.goto('/cdp/sources');
    await testId(page, 'source-new').click();
    await testId(page, 'source-name').fill('官网');
    await page.getByRole('button', { name: /OK|确\s*定/ }).click();
    const key = (await testId(page, 'write-key').textContent())!.trim();
    assert.match(key, /^wk_/);
    const send = (path: string, body: unknown) => postWithWriteKey(kehu.server.url, path, key, body);
    assert.equal(
      (
        await send('/v1/batch', {
          batch: [
            {
              type: 'identify',
              userId: 'phone-user',
              traits: { name: '手机用户', plan: 'gold', phone: '13912349999' },
              messageId: 'w1',
            },
            {
              type: 'track',
              userId: 'phone-user',
              event: 'Product Viewed',
              properties: { sku: 'P1' },
              messageId: 'w2',
            },
            { type: 'track', userId: 'phone-user', messageId: 'w3' },
          ],
        })
      ).status,
      200,
    );
    const keyDialog = page.getByRole('dialog', { name: '写入密钥' });
    await keyDialog.getByLabel('Close', { exact: true }).click();
    await keyDialog.waitFor({ state: 'hidden' });
    await page.getByRole('dialog', { name: '新建数据源' }).waitFor({ state: 'hidden' });
    // The demo tenant has sources of its own: open the debugger of the one made here.
    await page
      .locator('tr', { has: page.getByRole('cell', { name: '官网', exact: true }) })
      .locator('[data-testid="source-debug"]')
      .click();
    await eventually(async () => {
      assert.equal(await testId(page, 'debug-events').locator('.ant-list-item').count(), 2);
      assert.match((await testId(page, 'debug-errors').textContent()) ?? '', /non-empty string event/);
    });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 400, `no horizontal page scroll at 390 px (scrollWidth ${width})`);

    await page.goto('/cdp/profiles');
    await eventually(async () => {
      await page.reload();
      await testId(page, 'profile-item').first().waitFor({ timeout: 2000 });
    });
    await testId(page, 'profile-item').first().locator('a').first().click();
    await testId(page, 'profile-identities').waitFor();
    assert.match((await testId(page, 'profile-traits').textContent()) ?? '', /139\*\*\*\*9999/);
    // The timeline loads in pages of its own, after the profile.
    await eventually(async () =>
      assert.ok((await testId(page, 'profile-timeline').locator('.ant-timeline-item').count()) >= 2),
    );

    await page.goto('/cdp/segments/new');
    await testId(page, 'segment-name').fill('金卡客户');
    // The builder starts empty (examples to pick from): the first condition is added by hand.
    await testId(page, 'segment-add-first').click();
    await testId(page, 'rule-value').first().fill('gold');
    await eventually(async () =>
      assert.equal((await testId(page, 'segment-live-count').textContent())?.trim(), '1'),
    );
    await testId(page, 'segment-save').click();
    await testId(page, 'segment-page').waitFor();
    await eventually(async () =>
      assert.equal((await testId(page, 'segment-member-count').textContent())?.trim(), '1'),
    );
    await testId(page, 'segment-chart').waitFor();
    await context.close();
  });
});

// Throwaway (not committed): screenshots of the new dealer pages at 1366 and 390 px.
import { launchBrowser, login, newPage, testId } from './support.ts';

const url = process.env.SHOT_URL!;
const out = '/tmp/dms-shots';
const browser = await launchBrowser();
const server = { url } as any;
const shots: [string, string, string][] = [
  ['wang.jianguo', '/dealers/pricing', 'pricing'],
  ['wang.jianguo', '/dealers/stock', 'stock-hq'],
  ['wang.jianguo', '/dealers/rebates', 'rebates-hq'],
  ['zhang.wei', '/dealers/stock', 'stock-dealer'],
  ['zhang.wei', '/dealers/rebates', 'rebates-dealer'],
  ['zhang.wei', '/dealers/orders', 'orders-dealer'],
  ['zhang.wei', '/dealers/statements', 'statements-dealer'],
];
for (const [w, h, tag] of [
  [1366, 900, 'desk'],
  [390, 844, 'phone'],
] as const) {
  const pages = new Map<string, any>();
  for (const [who, path, name] of shots) {
    if (!pages.has(who)) {
      const { page } = await newPage(browser, server, { viewport: { width: w, height: h }, isMobile: w < 500 });
      await login(page, who);
      pages.set(who, page);
    }
    const page = pages.get(who);
    await page.goto(path);
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${out}/${name}-${tag}.png`, fullPage: true });
    if (name === 'orders-dealer') {
      const edit = testId(page, 'dms-order-edit').first();
      if (await edit.count()) {
        await edit.click();
        await page.waitForTimeout(800);
        await page.screenshot({ path: `${out}/order-edit-${tag}.png` });
        await page.keyboard.press('Escape');
      }
    }
    if (name === 'stock-dealer') {
      await testId(page, 'dms-stock-report').click();
      await page.waitForTimeout(800);
      await page.screenshot({ path: `${out}/stock-report-${tag}.png` });
      await page.keyboard.press('Escape');
    }
    if (name === 'pricing' && tag === 'desk') {
      await page.getByRole('tab', { name: /订货促销/ }).click();
      await page.waitForTimeout(500);
      await page.screenshot({ path: `${out}/promotions-${tag}.png`, fullPage: true });
      await page.getByRole('button', { name: /新建促销/ }).click();
      await page.waitForTimeout(500);
      await page.screenshot({ path: `${out}/promotion-editor-${tag}.png` });
      await page.keyboard.press('Escape');
    }
  }
}
await browser.close();
console.log('shots done');

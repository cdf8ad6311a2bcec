// The API reference at /api/docs in Chromium: it renders under the app's strict Content-Security-Policy,
// loads nothing from another origin, and "Try it out" works with the browser's session (CSRF included).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_PASSWORD, DEMO_TENANT, newPage, useServerAndBrowser } from './support.ts';

const kehu = useServerAndBrowser();

describe('API reference', () => {
  it('renders the signed-in tenant’s reference offline and under the CSP, and calls the API', async () => {
    const { context, page } = await newPage(kehu.browser, kehu.server);
    const origin = new URL(kehu.server.url).origin;
    const foreign: string[] = [];
    const refused: string[] = [];
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.protocol.startsWith('http') && url.origin !== origin) foreign.push(r.url());
    });
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
    });
    page.on('pageerror', (e) => refused.push(`page error: ${e.message}`));

    const signIn = await context.request.post('/api/v1/auth/login', {
      data: { tenant: DEMO_TENANT, login: 'admin', password: DEMO_PASSWORD },
    });
    assert.equal(signIn.status(), 200);

    const res = await page.goto('/api/docs');
    assert.match(res?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.locator('.swagger-ui .info .title', { hasText: 'Kehu API' }).waitFor();
    const logout = page.locator('.opblock', { has: page.locator('[data-path="/api/v1/auth/logout"]') });
    await logout.first().waitFor();
    // The signed-in tenant's objects are described (the spec is fetched with the session cookie);
    // Swagger UI lists a schema by its title.
    await page.locator('.models .json-schema-2020-12__title', { hasText: /^Customer$/ }).waitFor();

    // A mutating call from "Try it out": only accepted with the session's CSRF token.
    await logout.locator('.opblock-summary').first().click();
    await logout.locator('.try-out__btn').click();
    await logout.locator('.execute').click();
    await logout.locator('.live-responses-table .response-col_status', { hasText: '204' }).waitFor();
    const me = await context.request.get('/api/v1/auth/me');
    assert.equal(me.status(), 401, 'the logout sent from the reference ended the session');

    assert.deepEqual(foreign, [], 'nothing is fetched from another origin');
    assert.deepEqual(refused, [], 'nothing is refused by the Content-Security-Policy');
    await context.close();
  });
});

// Shared helpers for the browser tests: a real Kehu server per test file (embedded PGlite in a fresh
// directory, demo tenant seeded on first start), Debian's Chromium through playwright-core, and a few
// helpers for antd widgets. Only e2e/*.e2e.ts files import this.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS_DIR = join(ROOT, 'test-results');
export const DEMO_TENANT = 'demo';
export const DEMO_PASSWORD = 'kehu-demo-2026';
/** UI waits: generous, because the first page load compiles nothing but the server may be busy seeding. */
export const UI_TIMEOUT = 20_000;

// ---------------------------------------------------------------------------------------------
// Web build

/** Builds apps/web once if apps/web/dist/index.html is missing (the server serves that folder). */
export function ensureWebBuild(): void {
  if (existsSync(join(ROOT, 'apps/web/dist/index.html'))) return;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build:web'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(join(ROOT, 'apps/web/dist/index.html')))
    throw new Error('npm run build:web failed: apps/web/dist/index.html is missing');
}

// ---------------------------------------------------------------------------------------------
// Server

export interface KehuServer {
  url: string;
  dataDir: string;
  /** Everything the server printed (for failure messages). */
  output: () => string;
  stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts `kehu start` on a free port with a fresh DATA_DIR; resolves once GET /readyz is 200. */
export async function startServer(opts: { readyTimeoutMs?: number } = {}): Promise<KehuServer> {
  ensureWebBuild();
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'kehu-e2e-'));
  // `npm test` seeds the demo once into KEHU_E2E_TEMPLATE_DIR; a copy starts in ~3 s instead of a ~25 s seed.
  // A file that runs its own WeCom simulator (KEHU_WECOM_DEMO_URL) starts from the copy too: the server
  // tells only the demo's simulator parts on top (seed/demo-story.ts attachDemoSimulator).
  const template = process.env.KEHU_E2E_TEMPLATE_DIR;
  if (template && existsSync(join(template, 'PG_VERSION'))) cpSync(template, dataDir, { recursive: true });
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  // The embedded database, the demo seed and the built web app, whatever the caller's environment says.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'KEHU_SEED_DEMO', 'KEHU_ROLE', 'WEB_DIST', 'COOKIE_SECURE']) delete env[k];
  const child = spawn(process.execPath, [join(ROOT, 'apps/server/src/main.ts'), 'start'], {
    cwd: ROOT,
    env: {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b: Buffer) => {
    log += b.toString();
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      if (!(await exited(child, 10_000))) {
        child.kill('SIGKILL');
        await exited(child, 5_000);
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  // KEHU_E2E_READY_MS: a shared, loaded machine seeds the demo more slowly than 2 minutes.
  const readyMs = opts.readyTimeoutMs ?? (Number(process.env.KEHU_E2E_READY_MS) || 120_000);
  const deadline = Date.now() + readyMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`kehu server exited before it was ready (code ${child.exitCode}):\n${log}`);
    }
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`kehu server not ready within ${readyMs} ms:\n${log}`);
    }
    await sleep(250);
  }
  return { url, dataDir, output: () => log, stop };
}

/**
 * One server and one browser for the tests of the calling file (or describe block): started in its
 * `before` hook, then `prepare` (the file's own setup) runs in that hook; stopped in its `after`
 * hook. A second top-level `before` would not do for the setup: the root runs its hooks as they are
 * registered, without waiting for the one before.
 */
export function useServerAndBrowser(
  prepare?: (kehu: { server: KehuServer; browser: Browser }) => Promise<void>,
): { readonly server: KehuServer; readonly browser: Browser } {
  const kehu = {} as { server: KehuServer; browser: Browser };
  before(async () => {
    kehu.server = await startServer();
    kehu.browser = await launchBrowser();
    await prepare?.(kehu);
  });
  after(async () => {
    await kehu.browser?.close();
    await kehu.server?.stop();
  });
  return kehu;
}

// ---------------------------------------------------------------------------------------------
// API (for looking things up that the browser test then uses, e.g. another dealer's record id)

export interface ApiSession {
  get: <T = any>(path: string) => Promise<T>;
  post: <T = any>(path: string, body?: unknown) => Promise<T>;
  patch: <T = any>(path: string, body?: unknown) => Promise<T>;
  put: <T = any>(path: string, body?: unknown) => Promise<T>;
  del: <T = any>(path: string) => Promise<T>;
}

/** POSTs to the ingestion API as a source, with its write key (HTTP Basic, as Segment clients do). */
export function postWithWriteKey(
  baseUrl: string,
  path: string,
  writeKey: string,
  body: unknown,
): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
    },
    body: JSON.stringify(body),
  });
}

export async function apiLogin(
  baseUrl: string,
  login: string,
  password = DEMO_PASSWORD,
  tenant = DEMO_TENANT,
): Promise<ApiSession> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, login, password }),
  });
  if (!res.ok) throw new Error(`API login as ${login}: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrfToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    get: (p) => call('GET', p),
    post: (p, b) => call('POST', p, b),
    patch: (p, b) => call('PATCH', p, b),
    put: (p, b) => call('PUT', p, b),
    del: (p) => call('DELETE', p),
  };
}

// ---------------------------------------------------------------------------------------------
// Browser

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A fresh context (no cookies, no localStorage) pointed at the server. */
export async function newPage(
  browser: Browser,
  server: KehuServer,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: server.url,
    acceptDownloads: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1366, height: 900 },
    ...options,
  });
  context.setDefaultTimeout(UI_TIMEOUT);
  context.setDefaultNavigationTimeout(60_000);
  const page = await context.newPage();
  return { context, page };
}

export function testId(page: Page | Locator, id: string): Locator {
  return page.locator(`[data-testid="${id}"]`);
}

/** Signs in through the login form and waits for the app shell. */
export async function login(
  page: Page,
  user: string,
  password = DEMO_PASSWORD,
  tenant = DEMO_TENANT,
): Promise<void> {
  if (!page.url().includes('/login')) await page.goto('/login');
  await testId(page, 'login-form').waitFor();
  await testId(page, 'login-tenant').fill(tenant);
  await testId(page, 'login-login').fill(user);
  await testId(page, 'login-password').fill(password);
  await testId(page, 'login-submit').click();
  // The first sign-in after a start can wait behind the server's start-up jobs on a loaded 2-core CI
  // machine (it once took over 20 s); a slow start is not what these tests look at.
  await testId(page, 'user-menu').waitFor({ timeout: 3 * UI_TIMEOUT });
}

/** Signs out through the user menu; waits for the login form. */
export async function logout(page: Page): Promise<void> {
  await testId(page, 'user-menu').click();
  await testId(page, 'menu-logout').click();
  await testId(page, 'login-form').waitFor();
}

/** The open (visible) antd select dropdown. */
export function openDropdown(page: Page): Locator {
  return page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').last();
}

/**
 * Picks an option in an antd Select: `select` is the `.ant-select` root (or a wrapper around it).
 * Types `search` first when the select is searchable, to bring long lists' options into view.
 */
export async function chooseOption(
  page: Page,
  select: Locator,
  optionText: string,
  search?: string,
): Promise<void> {
  const root = (await select.evaluate((el) => el.classList.contains('ant-select')))
    ? select
    : select.locator('.ant-select').first();
  for (let attempt = 0; attempt < 2; attempt++) {
    await root.locator('.ant-select-selector').click();
    // Fill the select's own search box (typing would go wherever focus happens to be on a busy machine).
    if (search !== undefined) {
      const box = root.locator('input.ant-select-selection-search-input').first();
      if (await box.isEditable()) await box.fill(search);
      else await page.keyboard.type(search);
    }
    const option = openDropdown(page).locator('.ant-select-item-option', {
      has: page.locator('.ant-select-item-option-content', { hasText: optionText }),
    });
    await option.first().click();
    // On a loaded machine a click can land while the dropdown is still animating and select
    // nothing: check the selection took, and try once more if it did not.
    const chosen = root.locator('.ant-select-selection-item', { hasText: optionText });
    if (
      await chosen
        .first()
        .waitFor({ timeout: 3_000 })
        .then(
          () => true,
          () => false,
        )
    )
      return;
  }
}

/** Waits until no request has been in flight for a moment (antd/react-query pages settle after this). */
export async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
}

export function resultsPath(name: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return join(RESULTS_DIR, name);
}

/**
 * Saves a full-page screenshot as test-results/<name>, taken from the top of the page so the sticky
 * app header stands at the top; with `target`, clipped to that element (the header then does not
 * cover the target's title).
 */
export async function screenshot(page: Page, name: string, target?: Locator): Promise<void> {
  await page.evaluate(() => window.scrollTo(0, 0));
  const clip = await target?.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
  });
  await page.screenshot({ path: resultsPath(name), fullPage: true, ...(clip ? { clip } : {}) });
}

/** A full-page screenshot for a failing test; its own failure never hides the test's error. */
export async function failureScreenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resultsPath(name), fullPage: true }).catch(() => {});
}

/** Types into an antd input-like widget (its <input>, wherever the data-testid landed), then leaves it. */
export async function typeInto(loc: Locator, text: string): Promise<void> {
  const input = (await loc.evaluate((el) => el.tagName === 'INPUT')) ? loc : loc.locator('input').first();
  await input.click();
  await input.fill(text);
  // An autocomplete's open list would cover the next field.
  await input.blur();
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Retries an assertion until it passes or the timeout runs out (then throws its last error). */
export async function eventually(check: () => Promise<void> | void, timeoutMs = UI_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(100);
    }
  }
}

/** The text a user sees in an element (Playwright's innerText: rendered, visible text), trimmed. */
export async function visibleText(locator: Locator): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text we assert on
  return (await locator.innerText()).trim();
}

/**
 * Switches the UI language in the shell and waits until it shows and is saved on the user (a page
 * load right after keeps it). The shell applies the user's saved language on sign-in; a newer switch wins.
 */
export async function switchLanguage(page: Page, lang: 'zh-CN' | 'en-US'): Promise<void> {
  await testId(page, 'lang-switch').click();
  // A click that lands while the dropdown is still opening can be lost (seen once on a loaded CI
  // machine: the menu stayed open, nothing saved): click again while the option is still shown.
  for (let attempt = 1; ; attempt++) {
    const saved = page.waitForResponse(
      (r) => r.url().includes('/api/v1/auth/me') && r.request().method() === 'PATCH',
      { timeout: attempt < 3 ? 6_000 : UI_TIMEOUT },
    );
    await testId(page, `lang-option-${lang}`).click();
    try {
      await saved;
      break;
    } catch (e) {
      if (attempt >= 3 || !(await testId(page, `lang-option-${lang}`).isVisible())) throw e;
    }
  }
  await page.waitForFunction((l) => document.documentElement.lang === l, lang);
}

import assert from 'node:assert/strict';
import { globSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The outbound guard only protects what goes through it. Server code other than the guard may
 * not open HTTP connections itself: no global `fetch(`, no node:http/https/http2 or undici
 * client. Tests and test kits talk to our own server and are exempt.
 */
const SRC = join(dirname(fileURLToPath(import.meta.url)), '../..');

const EXEMPT: Record<string, string> = {
  'net/outbound-url.ts': 'the guard itself',
  'sales/sales-demo.ts': 'operator CLI that drives the server named on its own command line',
  'materials/reader.script.ts':
    'JavaScript served to the reader’s browser: same-origin beacons, not server code',
  'fission/public-page.script.ts':
    'JavaScript served to the participant’s browser: same-origin calls, not server code',
  'campaigns/public.script.ts':
    'JavaScript served to the registrant’s browser: same-origin calls, not server code',
  'surveys/public-page.script.ts':
    'JavaScript served to the customer’s browser: same-origin calls, not server code',
  'member-mall/card-page.script.ts':
    'JavaScript served to the member’s browser: same-origin calls, not server code',
  'dealer-network/recruitment/join.script.ts':
    'JavaScript served to the applicant’s browser: same-origin calls, not server code',
};

const isTestCode = (path: string) =>
  /\.test\.ts$/.test(path) || /(^|\/)testing(\/|\.ts$)/.test(path) || /test-kit\.ts$/.test(path);

const OUTBOUND = [
  { what: 'global fetch(', re: /(?<![\w.$])fetch\s*\(/ },
  { what: 'an HTTP client module', re: /from\s+['"](node:)?(https?|http2)['"]|from\s+['"]undici['"]/ },
  { what: 'a dynamic HTTP client import', re: /import\(\s*['"](node:)?(https?|http2|undici)['"]\s*\)/ },
  { what: 'require of an HTTP client', re: /require\(\s*['"](node:)?(https?|http2|undici)['"]\s*\)/ },
  { what: 'WebSocket / XMLHttpRequest', re: /new\s+(WebSocket|XMLHttpRequest)\s*\(/ },
];

const withoutComments = (code: string) =>
  code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

export function outboundCallsOutsideGuard(root = SRC): string[] {
  const found: string[] = [];
  for (const file of globSync('**/*.ts', { cwd: root })) {
    const path = file.split('\\').join('/');
    if (isTestCode(path) || Object.keys(EXEMPT).some((e) => path.endsWith(e))) continue;
    const code = withoutComments(readFileSync(join(root, file), 'utf8'));
    for (const { what, re } of OUTBOUND)
      if (re.test(code)) found.push(`${relative(root, join(root, file))}: ${what}`);
  }
  return found;
}

describe('outbound requests', () => {
  it('go through platform/net/outbound-url.ts only', () => {
    assert.deepEqual(
      outboundCallsOutsideGuard(),
      [],
      'use guardedFetch from platform/net/outbound-url.ts (it refuses private addresses, pins DNS, caps size and time)',
    );
  });

  it('are found where they hide', () => {
    const samples = [
      'const r = await fetch(url)',
      "import https from 'node:https'",
      "import { request } from 'http'",
      "import { Agent } from 'undici'",
      "const m = await import('node:http')",
    ];
    for (const s of samples)
      assert.ok(
        OUTBOUND.some(({ re }) => re.test(withoutComments(s))),
        s,
      );
    for (const s of [
      'guardedFetch(url)',
      'cache.fetch(x)',
      '// we fetch(nothing) here',
      "import { isIP } from 'node:net'",
    ])
      assert.ok(!OUTBOUND.some(({ re }) => re.test(withoutComments(s))), s);
  });
});

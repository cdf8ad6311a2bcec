/**
 * The demo's sales story over HTTP against a running server (first start tells it in-process:
 * see seed/demo-story.ts). Usage:
 *   node apps/server/src/modules/sales/sales-demo.ts http://127.0.0.1:3000 demo [password]
 */
import type { DemoCall as Call } from '../../engine/module.ts';
import { seedSalesStory } from './sales.demo.ts';

const [base = 'http://127.0.0.1:3000', tenant = 'demo', password = 'kehu-demo-2026'] = process.argv.slice(2);

async function signIn(login: string): Promise<Call> {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, login, password }),
  });
  if (!r.ok) throw new Error(`login ${login}: ${r.status}`);
  const { csrfToken } = (await r.json()) as { csrfToken: string };
  const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
  return async (method, path, body) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

// Product codes and contract numbers are unique: a second run on the same tenant gets a suffix.
const r = await seedSalesStory(signIn, { codeSuffix: `-${Date.now() % 100000}` });
console.log(`sales demo ready: quote pending approval ${r.pendingQuoteId}, order ${r.orderId}`);

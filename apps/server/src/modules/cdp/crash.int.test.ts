import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Analytics } from '@segment/analytics-node';
import { sql } from 'kysely';
import { getTestEnv, login, newTenant, type TestEnv, testDatabaseUrl } from '../../testing/harness.ts';

/**
 * kill -9 of the server while the official client is sending: every event ends up stored
 * exactly once (200 only after commit; messageId dedupe absorbs the client's retries).
 * Needs a server database the killed process does not own, so it runs on PostgreSQL.
 */
const N = Number(process.env.KEHU_CRASH_EVENTS ?? 3000);
const main = join(fileURLToPath(import.meta.url), '../../../main.ts');

let env: TestEnv;
before(async () => {
  env = await getTestEnv();
});
after(async () => {
  await env?.close();
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

async function startServer(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [main, 'start', '--no-seed', '--port', String(port)], {
    env: { ...process.env, DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'silent', HOST: '127.0.0.1' },
    stdio: 'ignore',
  });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

describe('ingestion durability', {
  skip: testDatabaseUrl() ? false : 'needs PostgreSQL (DATABASE_URL)',
}, () => {
  it(`loses and duplicates none of ${N} events when the server is killed -9 mid-ingestion`, async () => {
    const seed = await newTenant(env, 1);
    const admin = await login(env, seed.slug, 'admin');
    const source = (await admin.post('/cdp/sources', { name: 'Crash', kind: 'server' })).body;
    const port = await freePort();
    let server = await startServer(port);
    const analytics = new Analytics({
      writeKey: source.writeKey,
      host: `http://127.0.0.1:${port}`,
      flushAt: 100,
      maxRetries: 20,
      httpRequestTimeout: 5000,
    });
    const errors: unknown[] = [];
    analytics.on('error', (e) => errors.push(e));
    for (let i = 0; i < N; i++) {
      analytics.track({
        userId: `u${i % 50}`,
        event: 'Crash Test',
        messageId: `crash-${i}`,
        properties: { i },
      });
      if (i === Math.floor(N / 3)) {
        await new Promise((r) => setTimeout(r, 50));
        server.kill('SIGKILL');
        await new Promise((r) => server.once('exit', r));
        server = await startServer(port);
      }
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    await analytics.closeAndFlush({ timeout: 120_000 });
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    assert.deepEqual(errors, []);
    const r = await sql<{
      n: number;
      d: number;
    }>`select count(*)::int as n, count(distinct message_id)::int as d from cdp_events
      where tenant_id = ${seed.tenantId}`.execute(env.database.db);
    assert.equal(r.rows[0]!.d, N, 'none lost');
    assert.equal(r.rows[0]!.n, N, 'none duplicated');
  });
});

import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { type Client, drainBackground, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { notify } from './index.ts';

/**
 * Notification webhooks must not reach into Kehu's own network (issue 8, webhook SSRF): not when
 * saved, not when delivered (old rows, changed DNS, a narrowed allow-list), not through a redirect,
 * and the delivery log must never show what an internal service answered.
 */
const env = useTestEnv();

interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, hits, port: (server.address() as AddressInfo).port };
}

const SECRET_BODY = 'INTERNAL-ONLY: redis 7.2 role:master';
const SECRET_HEADER = 'x-internal-token';

// A service inside "our network" that no webhook may reach.
let internal: Awaited<ReturnType<typeof listen>>;
// The tenant's receiver and a redirecting endpoint, both listed by the operator.
let receiver: Awaited<ReturnType<typeof listen>>;
let redirector: Awaited<ReturnType<typeof listen>>;
let savedAllow: string | undefined;

before(async () => {
  internal = await listen((_req, res) => res.writeHead(200, { [SECRET_HEADER]: 'abc' }).end(SECRET_BODY));
  receiver = await listen((req, res) => {
    if (req.url === '/fail') res.writeHead(500, { [SECRET_HEADER]: 'abc' }).end(SECRET_BODY);
    else res.writeHead(200).end('ok');
  });
  redirector = await listen((req, res) => {
    const location =
      req.url === '/to-internal'
        ? `http://127.0.0.1:${internal.port}/admin`
        : 'http://169.254.169.254/latest/meta-data/iam/security-credentials/';
    res.writeHead(307, { location }).end();
  });
  savedAllow = process.env.KEHU_OUTBOUND_ALLOW;
  process.env.KEHU_OUTBOUND_ALLOW = `127.0.0.1:${receiver.port},127.0.0.1:${redirector.port}`;
});

after(() => {
  for (const s of [internal, receiver, redirector]) s.server.close();
  if (savedAllow === undefined) delete process.env.KEHU_OUTBOUND_ALLOW;
  else process.env.KEHU_OUTBOUND_ALLOW = savedAllow;
});

async function adminId(tenantId: string): Promise<string> {
  return inTenant(env.database.db, tenantId, async (tx) => {
    const r = await sql<{
      id: string;
    }>`select id from users where tenant_id = ${tenantId} and login = 'admin'`.execute(tx);
    return r.rows[0]!.id;
  });
}

/** One notification for the admin, delivered to every webhook of the tenant, then the queue run once. */
async function notifyAndDeliver(tenantId: string): Promise<void> {
  const userId = await adminId(tenantId);
  await inTenant(env.database.db, tenantId, (tx) =>
    notify(tx, tenantId, {
      userIds: [userId],
      kind: 'lead.assigned',
      title: { 'zh-CN': '新线索', 'en-US': 'New lead' },
    }),
  );
  await drainBackground(env, tenantId);
}

async function deliveries(c: Client, hookId: string) {
  const r = await c.get(`/notification-webhooks/${hookId}/deliveries`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items as any[];
}

/** A webhook row as an older Kehu (or a host whose DNS later changed) would have saved it. */
async function insertHook(tenantId: string, url: string): Promise<string> {
  const id = newId();
  await inTenant(env.database.db, tenantId, (tx) =>
    sql`insert into notification_webhooks (tenant_id, id, url, secret)
      values (${tenantId}, ${id}, ${url}, ${`whsec_${Buffer.alloc(32, 7).toString('base64')}`})`.execute(tx),
  );
  return id;
}

describe('notification webhooks: outbound guard', () => {
  it('refuses internal targets and non-https schemes when the webhook is saved, in the caller language', async () => {
    const { admin } = await newTenantWithAdmin(env, 1);
    const cases: [string, string][] = [
      [`http://127.0.0.1:${internal.port}/`, 'refused_private_address'],
      ['http://169.254.169.254/latest/meta-data/', 'refused_private_address'],
      ['https://10.0.0.8/hook', 'refused_private_address'],
      ['https://192.168.1.1/hook', 'refused_private_address'],
      ['https://172.20.0.1/hook', 'refused_private_address'],
      ['http://0.0.0.0:8080/', 'refused_private_address'],
      ['http://2130706433/', 'refused_private_address'],
      ['http://0x7f000001/', 'refused_private_address'],
      ['http://127.1/', 'refused_private_address'],
      ['http://0x7f.1/', 'refused_private_address'],
      ['http://localhost:5432/', 'refused_private_address'],
      ['http://[::1]/', 'refused_private_address'],
      ['http://[::ffff:127.0.0.1]/', 'refused_private_address'],
      ['https://[fd12:3456::1]/', 'refused_private_address'],
      ['https://[fe80::1]/', 'refused_private_address'],
      ['file:///etc/passwd', 'refused_scheme'],
      ['gopher://127.0.0.1:6379/_INFO', 'refused_scheme'],
      ['http://hooks.example.com/kehu', 'refused_scheme'],
      ['https://hooks.example.com:25/kehu', 'refused_port'],
      ['https://user:pass@hooks.example.com/kehu', 'invalid_url'],
    ];
    for (const [url, code] of cases) {
      const r = await admin.post('/notification-webhooks', { url });
      assert.equal(r.status, 422, `${url}: ${JSON.stringify(r.body)}`);
      assert.equal(r.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.deepEqual(
        r.body.errors.map((e: any) => [e.field, e.code]),
        [['url', `outbound.${code}`]],
        url,
      );
    }
    const zh = await admin.post('/notification-webhooks', { url: 'http://169.254.169.254/' });
    assert.equal(zh.body.errors[0].message, '已拒绝：私有地址');
    admin.locale = 'en-US';
    const en = await admin.post('/notification-webhooks', { url: 'http://169.254.169.254/' });
    assert.equal(en.body.errors[0].message, 'refused: private address');
    assert.equal((await admin.get('/notification-webhooks')).body.items.length, 0, 'nothing was saved');
    assert.equal(internal.hits.length, 0);
  });

  it('refuses at delivery time a URL saved before (old rows, changed DNS, a narrowed allow-list)', async () => {
    const { admin, tenantId } = await newTenantWithAdmin(env, 1);
    const urls = [
      `http://127.0.0.1:${internal.port}/x`,
      `http://localhost:${internal.port}/x`,
      `http://2130706433:${internal.port}/x`,
      `http://[::ffff:127.0.0.1]:${internal.port}/x`,
      `http://[::1]:${internal.port}/x`,
      'http://169.254.169.254/latest/meta-data/',
    ];
    const hooks = [];
    for (const url of urls) hooks.push(await insertHook(tenantId, url));
    await notifyAndDeliver(tenantId);
    admin.locale = 'en-US';
    for (const [i, hookId] of hooks.entries()) {
      const [d] = await deliveries(admin, hookId);
      assert.equal(d.status, 'retrying', urls[i]);
      assert.equal(d.attempts, 1, urls[i]);
      assert.equal(d.error, 'refused_private_address', urls[i]);
      assert.equal(d.errorMessage, 'refused: private address', urls[i]);
      assert.equal(d.responseStatus, null, urls[i]);
    }
    admin.locale = 'zh-CN';
    assert.equal((await deliveries(admin, hooks[0]!))[0].errorMessage, '已拒绝：私有地址');
    assert.equal(internal.hits.length, 0, 'the internal service was never contacted');
  });

  it('does not follow redirects, so an allowed endpoint cannot bounce a delivery to an internal port or the metadata service', async () => {
    const { admin, tenantId } = await newTenantWithAdmin(env, 1);
    const toInternal = await admin.post('/notification-webhooks', {
      url: `http://127.0.0.1:${redirector.port}/to-internal`,
    });
    assert.equal(toInternal.status, 201, JSON.stringify(toInternal.body));
    const toMetadata = await admin.post('/notification-webhooks', {
      url: `http://127.0.0.1:${redirector.port}/to-metadata`,
    });
    assert.equal(toMetadata.status, 201, JSON.stringify(toMetadata.body));
    await notifyAndDeliver(tenantId);
    for (const hook of [toInternal, toMetadata]) {
      const [d] = await deliveries(admin, hook.body.id);
      assert.equal(d.status, 'retrying');
      assert.equal(d.responseStatus, 307);
      assert.equal(d.error, 'http_307');
    }
    assert.equal(internal.hits.length, 0, 'the redirect target was never contacted');
  });

  it('delivers to an allowed receiver with a Standard Webhooks signature the reference library verifies', async () => {
    const { admin, tenantId } = await newTenantWithAdmin(env, 1);
    const hook = await admin.post('/notification-webhooks', { url: `http://127.0.0.1:${receiver.port}/ok` });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    assert.match(hook.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, '32 random bytes, base64');
    assert.equal((await admin.get('/notification-webhooks')).body.items[0].secret, undefined, 'shown once');
    const stored = await inTenant(
      env.database.db,
      tenantId,
      async (tx) =>
        (
          await sql<{ secret: string }>`select secret from notification_webhooks
          where tenant_id = ${tenantId} and id = ${hook.body.id}`.execute(tx)
        ).rows[0]!.secret,
    );
    assert.ok(stored.startsWith('v1.') && !stored.includes(hook.body.secret.slice(6, 20)), 'sealed at rest');
    const before = receiver.hits.length;
    await notifyAndDeliver(tenantId);
    const mine = receiver.hits.slice(before).filter((h) => h.path === '/ok');
    assert.equal(mine.length, 1);
    const hit = mine[0]!;
    const payload = new Webhook(hook.body.secret).verify(
      hit.body,
      hit.headers as Record<string, string>,
    ) as any;
    assert.equal(payload.type, 'lead.assigned');
    assert.equal(payload.tenantId, tenantId);
    assert.match(String(hit.headers['webhook-signature']), /^v1,[A-Za-z0-9+/]+=*$/);
    assert.throws(
      () => new Webhook(hook.body.secret).verify(`${hit.body} `, hit.headers as Record<string, string>),
      /signature/i,
      'a changed body does not verify',
    );
    const [d] = await deliveries(admin, hook.body.id);
    assert.equal(hit.headers['webhook-id'], d.id, 'the delivery id, stable across retries');
    assert.equal(d.status, 'delivered');
    assert.equal(d.responseStatus, 200);
    assert.equal(d.error, null);
    assert.equal(typeof d.durationMs, 'number');
  });

  it('logs only the status code and our error code, never what the target answered', async () => {
    const { admin, tenantId } = await newTenantWithAdmin(env, 1);
    admin.locale = 'en-US';
    const hook = await admin.post('/notification-webhooks', {
      url: `http://127.0.0.1:${receiver.port}/fail`,
    });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    await notifyAndDeliver(tenantId);
    const log = await admin.get(`/notification-webhooks/${hook.body.id}/deliveries`);
    const [d] = log.body.items;
    assert.equal(d.status, 'retrying');
    assert.equal(d.responseStatus, 500);
    assert.equal(d.error, 'http_500');
    assert.equal(d.errorMessage, 'the target server answered HTTP 500');
    const text = JSON.stringify(log.body);
    assert.ok(!text.includes('INTERNAL-ONLY') && !text.includes(SECRET_HEADER), text);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { Client, login, newTenant, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { inTenant } from '../db/tenant-scope.ts';

const env = useTestEnv();

interface Received {
  to: string[];
  raw: string;
}

/** A real SMTP receiver on a free local port: what Kehu sends arrives here. */
async function startReceiver() {
  const inbox: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => {
        raw += c;
      });
      stream.on('end', () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return { inbox, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Waits for a mail to `to` (mail is sent after the request answered). */
async function mailTo(inbox: Received[], to: string, deadlineMs = 10_000): Promise<Received> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const m = inbox.find((x) => x.to.includes(to));
    if (m) return m;
    if (Date.now() > until) throw new Error(`no mail to ${to}`);
    await new Promise((r) => setImmediate(r));
  }
}

/** The reset token in a mail (quoted-printable soft breaks undone). */
function tokenIn(raw: string): { tenant: string; token: string } {
  const text = raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
  const m = text.match(/reset-password\?tenant=([a-z0-9-]+)&token=([0-9a-f-]{36}\.[A-Za-z0-9_-]+)/);
  assert.ok(m, 'the mail carries a reset link');
  return { tenant: m[1]!, token: m[2]! };
}

describe('forgotten password', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    receiver = await startReceiver();
    process.env.KEHU_SMTP_URL = `smtp://127.0.0.1:${receiver.port}`;
  });
  after(async () => {
    delete process.env.KEHU_SMTP_URL;
    await receiver.close();
  });

  it('mails a one-time link that sets a new password and ends every session', async () => {
    const seed = await newTenant(env, 0);
    const user = seed.users.find((u) => u.login !== 'admin')!;
    const signedIn = await login(env, seed.slug, user.login);
    assert.equal((await signedIn.get('/auth/me')).status, 200);
    const anon = new Client(env.baseUrl);
    const asked = await anon.post('/auth/password-reset', { tenant: seed.slug, login: user.login });
    assert.equal(asked.status, 202);
    assert.deepEqual(asked.body, { ok: true });
    const mail = await mailTo(receiver.inbox, `${user.login}@demo.kehu`);
    const { tenant, token } = tokenIn(mail.raw);
    assert.equal(tenant, seed.slug);
    // The secret is not kept: only its hash is stored.
    const stored = await inTenant(env.database.db, seed.tenantId, (tx) =>
      sql<{ token_hash: string }>`select token_hash from password_reset_tokens`.execute(tx),
    );
    assert.equal(stored.rows.length, 1);
    assert.ok(stored.rows.every((r) => !token.includes(r.token_hash) && r.token_hash.length === 64));

    const weak = await anon.post('/auth/password-reset/confirm', { tenant, token, newPassword: 'short' });
    assert.equal(weak.status, 422);
    assert.equal(weak.body.errors[0].field, 'newPassword');
    const done = await anon.post('/auth/password-reset/confirm', {
      tenant,
      token,
      newPassword: 'Neues-Passwort-2026',
    });
    assert.equal(done.status, 200);
    assert.equal((await signedIn.get('/auth/me')).status, 401, 'the old session is over');
    assert.equal(
      (await login(env, seed.slug, user.login, 'Neues-Passwort-2026').catch(() => null)) !== null,
      true,
    );
    const again = await anon.post('/auth/password-reset/confirm', {
      tenant,
      token,
      newPassword: 'Anderes-2026-pw',
    });
    assert.equal(again.status, 422, 'a used link is spent');
    assert.equal(again.body.errors[0].field, 'token');
  });

  it('answers the same for an unknown account, a user without email and an unknown tenant', async () => {
    const { seed, admin, tenantId } = await newTenantWithAdmin(env, 0);
    const anon = new Client(env.baseUrl);
    const users = (await admin.get('/admin/users')).body.items as {
      id: string;
      login: string;
      version: number;
    }[];
    const noMail = users.find((u) => u.login !== 'admin')!;
    await inTenant(env.database.db, tenantId, (tx) =>
      sql`update users set email = null where tenant_id = ${tenantId} and id = ${noMail.id}`.execute(tx),
    );
    const answers = await Promise.all([
      anon.post('/auth/password-reset', { tenant: seed.slug, login: 'nobody-here' }),
      anon.post('/auth/password-reset', { tenant: seed.slug, login: noMail.login }),
      anon.post('/auth/password-reset', { tenant: 'no-such-tenant', login: 'admin' }),
    ]);
    for (const a of answers) {
      assert.equal(a.status, 202);
      assert.deepEqual(a.body, { ok: true });
    }
    const tokens = await inTenant(env.database.db, tenantId, (tx) =>
      sql<{ n: number }>`select count(*)::int as n from password_reset_tokens`.execute(tx),
    );
    assert.equal(tokens.rows[0]!.n, 0, 'no link was made');
    const bad = await anon.post('/auth/password-reset', { tenant: seed.slug });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.errors[0].field, 'login');
  });

  it('refuses an expired link and a forged one, and limits how often one account may ask', async () => {
    const seed = await newTenant(env, 0);
    const user = seed.users.find((u) => u.login !== 'admin')!;
    const anon = new Client(env.baseUrl);
    await anon.post('/auth/password-reset', { tenant: seed.slug, login: user.login });
    const { tenant, token } = tokenIn((await mailTo(receiver.inbox, `${user.login}@demo.kehu`)).raw);
    const forged = `${token.split('.')[0]}.${'A'.repeat(43)}`;
    const wrong = await anon.post('/auth/password-reset/confirm', {
      tenant,
      token: forged,
      newPassword: 'Forged-2026-pw',
    });
    assert.equal(wrong.status, 422);
    await inTenant(env.database.db, seed.tenantId, (tx) =>
      sql`update password_reset_tokens set expires_at = now() - interval '1 minute' where id = ${token.split('.')[0]}::uuid`.execute(
        tx,
      ),
    );
    const expired = await anon.post('/auth/password-reset/confirm', {
      tenant,
      token,
      newPassword: 'Too-late-2026',
    });
    assert.equal(expired.status, 422);
    assert.equal(expired.body.errors[0].field, 'token');
    assert.equal(
      (
        await anon.post('/auth/password-reset/confirm', {
          tenant,
          token: 'junk',
          newPassword: 'Junk-2026-pw',
        })
      ).status,
      422,
    );
    // Three asks per account per quarter hour; the fourth is refused whoever asks.
    for (let i = 0; i < 2; i++)
      assert.equal(
        (await anon.post('/auth/password-reset', { tenant: seed.slug, login: user.login })).status,
        202,
      );
    const limited = await anon.post('/auth/password-reset', { tenant: seed.slug, login: user.login });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
  });

  it('never shows a superior’s reset link in the outbox to a lesser user admin', async () => {
    const { admin, seed } = await newTenantWithAdmin(env, 0);
    const units = (await admin.get('/admin/units')).body.items as { id: string }[];
    const role = await admin.post('/admin/roles', { name: '只管用户', permissions: ['admin:users'] });
    assert.equal(role.status, 201, JSON.stringify(role.body));
    const made = await admin.post('/admin/users', {
      login: 'user.keeper',
      name: '用户管理员',
      unitId: units[0]!.id,
      roleIds: [role.body.id],
      password: 'Keeper-pass-2026',
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const keeper = await login(env, seed.slug, 'user.keeper', 'Keeper-pass-2026');
    delete process.env.KEHU_SMTP_URL;
    try {
      // The system administrator forgets their password; the link waits in the outbox.
      const anon = new Client(env.baseUrl);
      assert.equal(
        (await anon.post('/auth/password-reset', { tenant: seed.slug, login: 'admin' })).status,
        202,
      );
      const until = Date.now() + 10_000;
      while ((await admin.get('/admin/mail-outbox')).body.items.length === 0) {
        assert.ok(Date.now() < until, 'the mail reaches the outbox');
        await new Promise((r) => setImmediate(r));
      }
      assert.equal((await admin.get('/admin/mail-outbox')).body.items.length, 1);
      assert.deepEqual((await keeper.get('/admin/mail-outbox')).body.items, [], 'not for a lesser admin');
    } finally {
      process.env.KEHU_SMTP_URL = `smtp://127.0.0.1:${receiver.port}`;
    }
  });

  it('lets an admin mail a user the link, and keeps mail in the outbox when no SMTP is set', async () => {
    const { admin, seed } = await newTenantWithAdmin(env, 0);
    const users = (await admin.get('/admin/users')).body.items as {
      id: string;
      login: string;
      email: string;
    }[];
    const target = users.find((u) => u.login !== 'admin')!;
    const sent = await admin.post(`/admin/users/${target.id}/send-reset-link`);
    assert.equal(sent.status, 200);
    assert.deepEqual(sent.body, { to: target.email, via: 'smtp' });
    tokenIn((await mailTo(receiver.inbox, target.email)).raw);

    delete process.env.KEHU_SMTP_URL;
    try {
      const kept = await admin.post(`/admin/users/${target.id}/send-reset-link`);
      assert.deepEqual(kept.body, { to: target.email, via: 'outbox' });
      const outbox = await admin.get('/admin/mail-outbox');
      assert.equal(outbox.status, 200);
      assert.equal(outbox.body.items.length, 1);
      const { tenant, token } = tokenIn(outbox.body.items[0].text);
      assert.equal(tenant, seed.slug);
      const anon = new Client(env.baseUrl);
      assert.equal(
        (await anon.post('/auth/password-reset/confirm', { tenant, token, newPassword: 'From-outbox-2026' }))
          .status,
        200,
      );
      // Other tenants' admins see none of it; users without admin:users may not look.
      const other = await newTenantWithAdmin(env, 0);
      assert.equal((await other.admin.get('/admin/mail-outbox')).body.items.length, 0);
      const sales = await login(env, seed.slug, seed.users.find((u) => u.role !== '系统管理员')!.login);
      assert.equal((await sales.get('/admin/mail-outbox')).status, 403);
      assert.equal((await other.admin.post(`/admin/users/${target.id}/send-reset-link`)).status, 404);
    } finally {
      process.env.KEHU_SMTP_URL = `smtp://127.0.0.1:${receiver.port}`;
    }
  });
});

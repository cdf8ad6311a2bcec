import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { withdrawSignInMethod } from '../../core/auth/sign-in-methods.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { Client, newTenant, useTestEnv } from '../../testing/harness.ts';
import admin from './index.ts';

const env = useTestEnv();
const contribute = admin.extensionPoints!['sign-in-method']!;

describe('sign-in methods', () => {
  after(() => {
    withdrawSignInMethod('test-sso');
    withdrawSignInMethod('test-picky');
    withdrawSignInMethod('test-twice');
  });

  it('lists the methods modules contribute, for the tenant asked about, without signing in', async () => {
    const seed = await newTenant(env, 0);
    const other = await newTenant(env, 0);
    // A test-only contribution, through the same point a module's manifest uses.
    contribute({
      key: 'test-sso',
      label: { 'zh-CN': '测试单点登录', 'en-US': 'Test SSO' },
      startUrl: '/api/v1/test-sso/start?tenant={tenant}',
      icon: 'login',
    });
    contribute({
      key: 'test-picky',
      label: { 'zh-CN': '仅部分企业', 'en-US': 'Some tenants only' },
      startUrl: '/api/v1/test-picky/start',
      // Offered only where the tenant has set it up (here: by its code).
      enabledFor: async (tx: Tx, tenantId: string) =>
        (await sql<{ slug: string }>`select slug from tenants where id = ${tenantId}`.execute(tx)).rows[0]
          ?.slug === seed.slug,
    });
    const anon = new Client(env.baseUrl);
    const mine = await anon.get(`/auth/sign-in-methods?tenant=${seed.slug}`);
    assert.equal(mine.status, 200);
    assert.deepEqual(
      mine.body.items.map((m: { key: string }) => m.key),
      ['test-sso', 'test-picky'],
    );
    assert.equal(mine.body.items[0].startUrl, `/api/v1/test-sso/start?tenant=${seed.slug}`);
    assert.deepEqual(mine.body.items[0].label, { 'zh-CN': '测试单点登录', 'en-US': 'Test SSO' });
    assert.equal(typeof mine.body.demo, 'boolean');
    const theirs = await anon.get(`/auth/sign-in-methods?tenant=${other.slug}`);
    assert.deepEqual(
      theirs.body.items.map((m: { key: string }) => m.key),
      ['test-sso'],
    );
    // An unknown tenant gets the methods every tenant has, and nothing tells it apart.
    const unknown = await anon.get('/auth/sign-in-methods?tenant=no-such-company');
    assert.deepEqual(
      unknown.body.items.map((m: { key: string }) => m.key),
      ['test-sso'],
    );
    assert.equal((await anon.get(`/auth/sign-in-methods?tenant=${'x'.repeat(80)}`)).status, 422);
  });

  it('refuses a contribution that would send people off this server or lacks a label', () => {
    assert.throws(() =>
      contribute({
        key: 'evil',
        label: { 'zh-CN': '外站', 'en-US': 'Off-site' },
        startUrl: 'https://evil.example/',
      }),
    );
    assert.throws(() => contribute({ key: 'nolabel', label: { 'zh-CN': '只有中文' }, startUrl: '/x' }));
    assert.throws(() =>
      contribute({ key: 'test-sso', label: { 'zh-CN': '重复', 'en-US': 'Twice' }, startUrl: '/x' }),
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { tenantDirectory } from '../../testing/fixtures.ts';
import { login, newTenantWithAdmin, useTestEnv } from '../../testing/harness.ts';
import { sealCallback } from './connector/callback-crypto.ts';

/**
 * Corps per unit (R5.7) and the callback endpoint, without WeCom: what can be told from Kehu's
 * side alone (secrets, scoping, signatures, replays). The simulator stories are in wecom.int.test.ts.
 */
const env = useTestEnv();

const countCallbacks = (tenantId: string) =>
  inTenant(env.database.db, tenantId, async (tx) =>
    Number((await sql<{ n: number }>`select count(*)::int as n from wecom_callbacks`.execute(tx)).rows[0]!.n),
  );

describe('WeCom corps per unit', () => {
  it('never returns a secret, and shows generated callback keys once', async () => {
    const { seed, admin } = await newTenantWithAdmin(env, 0);
    const dir = await tenantDirectory(env, seed);
    const secret = 'contact-secret-VERYSECRET-1';
    const created = await admin.post('/wecom/corps', {
      name: '总部企业微信',
      unitId: dir.unit('HQ'),
      corpId: 'wwhq0001',
      contactSecret: secret,
      appSecret: 'app-secret-VERYSECRET-2',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.encodingAESKey, /^[A-Za-z0-9]{43}$/);
    assert.ok(created.body.callbackToken);
    assert.deepEqual(created.body.secretsSet, { contactSecret: true, appSecret: true });
    assert.ok(!JSON.stringify(created.body).includes('VERYSECRET'));
    const again = await admin.get(`/wecom/corps/${created.body.id}`);
    const all = JSON.stringify([again.body, (await admin.get('/wecom/corps')).body]);
    for (const s of ['VERYSECRET', created.body.encodingAESKey, created.body.callbackToken])
      assert.ok(!all.includes(s), `a later read shows ${s.slice(0, 4)}…`);
    // At rest: sealed, not the plain text.
    const row = await inTenant(
      env.database.db,
      seed.tenantId,
      async (tx) =>
        (
          await sql<any>`select contact_secret, callback_aes_key from wecom_corps where id = ${created.body.id}`.execute(
            tx,
          )
        ).rows[0],
    );
    assert.ok(!row.contact_secret.includes(secret) && row.contact_secret.startsWith('v1.'));
    assert.ok(!row.callback_aes_key.includes(created.body.encodingAESKey));
    const audit = await inTenant(env.database.db, seed.tenantId, async (tx) =>
      JSON.stringify((await sql`select * from audit_log where object = 'wecom_corp'`.execute(tx)).rows),
    );
    assert.ok(!audit.includes('VERYSECRET'), 'no secret in the audit log');
  });

  it('keeps a dealer’s corp out of another dealer’s sight, and a dealer out of HQ', async () => {
    const { seed } = await newTenantWithAdmin(env, 0);
    const dir = await tenantDirectory(env, seed);
    const d1 = await login(env, seed.slug, 'zhang.wei'); // 经销商店长 EC-D1
    const d2 = await login(env, seed.slug, 'liu.yang'); // 经销商店长 EC-D2
    const own = await d1.post('/wecom/corps', {
      name: '浦东店企微',
      unitId: dir.unit('EC-D1'),
      corpId: 'wwdealer1',
      contactSecret: 's1',
    });
    assert.equal(own.status, 201);
    const hq = await d1.post('/wecom/corps', {
      name: 'x',
      unitId: dir.unit('HQ'),
      corpId: 'wwx',
      contactSecret: 's',
    });
    assert.equal(hq.status, 422);
    assert.equal(hq.body.errors[0].field, 'unitId');
    assert.equal((await d2.get(`/wecom/corps/${own.body.id}`)).status, 404);
    assert.deepEqual((await d2.get('/wecom/corps')).body.items, []);
    assert.equal((await d2.patch(`/wecom/corps/${own.body.id}`, { name: 'mine' })).status, 404);
    assert.equal((await d1.get('/wecom/corps')).body.items.length, 1);
  });

  it('refuses malformed input with field errors', async () => {
    const { seed, admin } = await newTenantWithAdmin(env, 0);
    const dir = await tenantDirectory(env, seed);
    const r = await admin.post('/wecom/corps', {
      name: '',
      unitId: dir.unit('HQ'),
      corpId: 'ww1',
      contactSecret: 's',
      encodingAESKey: 'short',
    });
    assert.equal(r.status, 422);
    const fields = r.body.errors.map((e: any) => e.field).sort();
    assert.deepEqual(fields, ['encodingAESKey', 'name']);
    const ssrf = await admin.post('/wecom/corps', {
      name: 'n',
      unitId: dir.unit('HQ'),
      corpId: 'ww2',
      contactSecret: 's',
      baseUrl: 'http://169.254.169.254/',
    });
    assert.equal(ssrf.status, 422);
    assert.equal(ssrf.body.errors[0].field, 'baseUrl');
  });
});

describe('WeCom callback endpoint', () => {
  async function corp() {
    const { seed, admin } = await newTenantWithAdmin(env, 0);
    const dir = await tenantDirectory(env, seed);
    const c = await admin.post('/wecom/corps', {
      name: 'cb',
      unitId: dir.unit('HQ'),
      corpId: `wwcb${Date.now()}`,
      contactSecret: 's',
    });
    const keys = {
      token: c.body.callbackToken,
      encodingAESKey: c.body.encodingAESKey,
      receiveId: c.body.corpId,
    };
    return { seed, url: `${env.baseUrl}${c.body.callbackPath}`, keys };
  }
  const event = (corpId: string, t: number) =>
    `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>${t}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_contact]]></Event><ChangeType><![CDATA[edit_external_contact]]></ChangeType><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[wmABC]]></ExternalUserID></xml>`;
  const post = (url: string, sealed: ReturnType<typeof sealCallback>) =>
    fetch(`${url}?${new URLSearchParams(sealed.query)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: sealed.body,
    });

  it('answers URL verification with the decrypted echostr', async () => {
    const { url, keys } = await corp();
    const sealed = sealCallback(keys, 'echo-1234567', '1700000000', 'abc');
    const enc = /<Encrypt><!\[CDATA\[(.*)\]\]><\/Encrypt>/.exec(sealed.body)![1]!;
    const q = new URLSearchParams({ ...sealed.query, echostr: enc });
    const ok = await fetch(`${url}?${q}`);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'echo-1234567');
    q.set('msg_signature', 'f'.repeat(40));
    assert.equal((await fetch(`${url}?${q}`)).status, 401);
  });

  it('stores a signed callback once: bad signature → 401 and nothing stored; replay → no duplicate', async () => {
    const { seed, url, keys } = await corp();
    const sealed = sealCallback(keys, event(keys.receiveId, 1700000000), '1700000000', 'n1');
    const forged = { ...sealed, query: { ...sealed.query, msg_signature: 'a'.repeat(40) } };
    assert.equal((await post(url, forged)).status, 401);
    const otherKeys = { ...keys, token: 'someoneelse' };
    assert.equal((await post(url, sealCallback(otherKeys, event(keys.receiveId, 1), '1', 'n'))).status, 401);
    assert.equal(await countCallbacks(seed.tenantId), 0);
    const first = await post(url, sealed);
    assert.equal(first.status, 200);
    assert.equal(await first.text(), 'success');
    // The same event again (WeCom's retry, or an attacker's replay), even re-encrypted.
    assert.equal((await post(url, sealed)).status, 200);
    assert.equal(
      (await post(url, sealCallback(keys, event(keys.receiveId, 1700000000), '1700000005', 'n2'))).status,
      200,
    );
    assert.equal(await countCallbacks(seed.tenantId), 1);
    assert.equal(
      (await post(url, sealCallback(keys, event(keys.receiveId, 1700000001), '1700000005', 'n3'))).status,
      200,
    );
    assert.equal(await countCallbacks(seed.tenantId), 2);
    assert.equal(
      (await fetch(`${env.baseUrl}/wecom/callback/nosuchcorpkey123`, { method: 'POST', body: sealed.body }))
        .status,
      404,
    );
  });
});

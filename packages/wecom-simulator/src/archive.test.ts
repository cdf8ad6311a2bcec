import assert from 'node:assert/strict';
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type Kit, kit, ok } from './test-kit.ts';

let k: Kit;
before(async () => {
  k = await kit({ now: () => Date.UTC(2026, 11, 6, 2, 0, 0) });
});
after(() => k.close());

const keys = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});

async function sidecar(path: string, body: unknown) {
  const res = await fetch(`${k.sim.url}/_sidecar/v1/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  return res.json() as Promise<any>;
}

describe('会话内容存档 (chat archive)', () => {
  it('archives only chats the customer agreed to, keyed with RSA for the corp’s public key, in seq order', async () => {
    const c = k.corp();
    c.setupChatArchive({ secret: 'archive-secret', publicKeyPem: keys.publicKey, publicKeyVersion: 3 });
    const a = (await c.addFriendDirectly('zhao.jing', c.wechatUser({ name: '王先生' }))).external_userid;
    const b = (await c.addFriendDirectly('zhao.jing', c.wechatUser({ name: '李女士' }))).external_userid;
    c.customerSays('zhao.jing', a, '还没同意时说的话');
    await c.advanceTime(1000);
    c.agreeToArchive('zhao.jing', a);
    c.agreeToArchive('zhao.jing', b, false);
    c.customerSays('zhao.jing', a, '这款车多少钱？');
    await c.advanceTime(60_000);
    c.staffSays('zhao.jing', a, '您好，落地价 15 万左右');
    c.customerSays('zhao.jing', b, '拒绝存档的人说的话');

    // Consent, through WeCom's API with the archive secret's token (the contact secret's is refused).
    const contactToken = await k.token(c);
    assert.equal((await k.api('msgaudit/check_single_agree', contactToken, { info: [] })).errcode, 48002);
    const t = await k.token(c, 'archive-secret');
    const agree = ok(
      await k.api('msgaudit/check_single_agree', t, {
        info: [
          { userid: 'zhao.jing', exteranalopenid: a },
          { userid: 'zhao.jing', exteranalopenid: b },
        ],
      }),
    );
    assert.deepEqual(
      agree.agreeinfo.map((x: any) => x.agree_status),
      ['Agree', 'Disagree'],
    );
    assert.deepEqual(ok(await k.api('msgaudit/get_permit_user_list', t, {})).ids, [
      'zhao.jing',
      'sun.lei',
      'xu.ming',
    ]);

    // The sidecar: wrong secret → the SDK's key error; then two messages, RSA-keyed for version 3.
    assert.equal((await sidecar('getchatdata', { corpid: c.corpId, secret: 'x', seq: 0 })).errcode, 10004);
    const data = await sidecar('getchatdata', {
      corpid: c.corpId,
      secret: 'archive-secret',
      seq: 0,
      limit: 100,
    });
    assert.equal(data.errcode, 0);
    assert.deepEqual(
      data.chatdata.map((d: any) => [d.seq, d.publickey_ver]),
      [
        [1, 3],
        [2, 3],
      ],
    );
    const texts = [];
    for (const d of data.chatdata) {
      const randomKey = privateDecrypt(
        { key: keys.privateKey, padding: constants.RSA_PKCS1_PADDING },
        Buffer.from(d.encrypt_random_key, 'base64'),
      ).toString();
      const plain = await sidecar('decryptdata', { encrypt_key: randomKey, encrypt_msg: d.encrypt_chat_msg });
      assert.equal(plain.errcode, 0);
      assert.equal(plain.message.msgid, d.msgid);
      assert.equal(plain.message.msgtype, 'text');
      texts.push([plain.message.from, plain.message.tolist[0], plain.message.text.content]);
    }
    assert.deepEqual(texts, [
      [a, 'zhao.jing', '这款车多少钱？'],
      ['zhao.jing', a, '您好，落地价 15 万左右'],
    ]);
    assert.equal(
      (await sidecar('decryptdata', { encrypt_key: 'wrong', encrypt_msg: data.chatdata[0].encrypt_chat_msg }))
        .errcode,
      10006,
    );
    // From a seq on, and nothing twice.
    c.customerSays('zhao.jing', a, '好的');
    const next = await sidecar('getchatdata', { corpid: c.corpId, secret: 'archive-secret', seq: 2 });
    assert.deepEqual(
      next.chatdata.map((d: any) => d.seq),
      [3],
    );
    assert.equal(
      (await sidecar('getchatdata', { corpid: c.corpId, secret: 'archive-secret', seq: 0, limit: 1001 }))
        .errcode,
      10000,
    );
  });
});

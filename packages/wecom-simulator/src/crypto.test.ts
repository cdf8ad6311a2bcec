import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { describe, it } from 'node:test';
import { aesKey, decrypt, encrypt, eventXml, parseFlatXml, sealCallback, signature } from './crypto.ts';

// The sample published with WeCom's callback documentation and its WXBizMsgCrypt libraries.
const OFFICIAL = {
  token: 'QDG6eK',
  corpId: 'wx5823bf96d3bd56c7',
  key: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  verify: {
    sig: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    timestamp: '1409659589',
    nonce: '263014780',
    echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  },
  msg: {
    sig: '477715d11cdb4164915debcba66cb864d751f3e6',
    timestamp: '1409659813',
    nonce: '1372623149',
    encrypt:
      'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
  },
};

describe('WeCom callback crypto', () => {
  it('verifies and decrypts the official URL-verification sample', () => {
    const v = OFFICIAL.verify;
    assert.equal(signature(OFFICIAL.token, v.timestamp, v.nonce, v.echostr), v.sig);
    const out = decrypt(OFFICIAL.key, v.echostr);
    assert.equal(out.receiveId, OFFICIAL.corpId);
    assert.equal(out.msg, '1616140317555161061');
  });

  it('verifies and decrypts the official message sample', () => {
    const m = OFFICIAL.msg;
    assert.equal(signature(OFFICIAL.token, m.timestamp, m.nonce, m.encrypt), m.sig);
    const out = decrypt(OFFICIAL.key, m.encrypt);
    assert.equal(out.receiveId, OFFICIAL.corpId);
    const fields = parseFlatXml(out.msg);
    assert.equal(fields.ToUserName, OFFICIAL.corpId);
    assert.equal(fields.MsgType, 'text');
    assert.equal(fields.Content, 'hello');
  });

  it('re-encrypts the official message to the same ciphertext given its random prefix', () => {
    // Decrypt by hand (no helper of ours) to recover the 16 random bytes, then encrypt with them.
    const key = aesKey(OFFICIAL.key);
    const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    d.setAutoPadding(false);
    const plain = Buffer.concat([d.update(Buffer.from(OFFICIAL.msg.encrypt, 'base64')), d.final()]);
    const { msg } = decrypt(OFFICIAL.key, OFFICIAL.msg.encrypt);
    assert.equal(encrypt(OFFICIAL.key, msg, OFFICIAL.corpId, plain.subarray(0, 16)), OFFICIAL.msg.encrypt);
  });

  it('round-trips multi-byte text and pads to 32-byte blocks', () => {
    const key = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    for (const msg of ['', '客户', 'x'.repeat(31), 'y'.repeat(32), '<xml>欢迎</xml>'.repeat(40)]) {
      const enc = encrypt(key, msg, 'ww123');
      assert.equal(Buffer.from(enc, 'base64').length % 32, 0);
      assert.deepEqual(decrypt(key, enc), { msg, receiveId: 'ww123' });
    }
  });

  it('seals a callback: envelope names the corp and the signature covers the ciphertext', () => {
    const cb = { token: 'tok', encodingAESKey: OFFICIAL.key };
    const inner = eventXml({
      ToUserName: 'wwcorp',
      CreateTime: 1700000000,
      Event: 'change_external_contact',
    });
    const sealed = sealCallback(cb, 'wwcorp', 1000002, inner, 1700000000, '42');
    const env = parseFlatXml(sealed.body);
    assert.equal(env.ToUserName, 'wwcorp');
    assert.equal(env.AgentID, '1000002');
    assert.equal(sealed.query.msg_signature, signature('tok', '1700000000', '42', env.Encrypt));
    assert.equal(decrypt(OFFICIAL.key, env.Encrypt).msg, inner);
    assert.match(inner, /<CreateTime>1700000000<\/CreateTime>/);
  });

  it('rejects a key that is not 43 characters', () => {
    assert.throws(() => encrypt('short', 'x', 'c'));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CallbackCryptoError,
  decrypt,
  encrypt,
  openCallback,
  parseXml,
  sealCallback,
  signature,
} from './callback-crypto.ts';

const keys = {
  token: 'QDG6eK',
  encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  receiveId: 'wx5823bf96d3bd56c7',
};

describe('WeCom callback crypto', () => {
  it('signs with sha1 over the sorted token, timestamp, nonce and ciphertext', () => {
    // Expected value computed independently (Python hashlib over the sorted, joined parts).
    assert.equal(
      signature(keys.token, '1409659813', '1372623149', 'abcENC'),
      '592b8ec1888c73fb224367e6de451b11874577a0',
    );
  });

  it('round-trips a message and checks the receiver', () => {
    const msg =
      '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Event>change_external_contact</Event></xml>';
    assert.equal(decrypt(keys, encrypt(keys, msg)), msg);
    assert.throws(
      () => decrypt({ ...keys, receiveId: 'wwother' }, encrypt(keys, msg)),
      (e: CallbackCryptoError) => e.code === 'bad_receiver',
    );
  });

  it('refuses a forged signature before decrypting', () => {
    const sealed = sealCallback(keys, '<xml><A>1</A></xml>', '1700000000', 'n1');
    assert.deepEqual(openCallback(keys, sealed.query, sealed.body).fields, { A: '1' });
    assert.throws(
      () => openCallback(keys, { ...sealed.query, msg_signature: '0'.repeat(40) }, sealed.body),
      (e: CallbackCryptoError) => e.code === 'bad_signature',
    );
    assert.throws(
      () => openCallback({ ...keys, token: 'other' }, sealed.query, sealed.body),
      (e: CallbackCryptoError) => e.code === 'bad_signature',
    );
  });

  it('keeps ids as strings and reads CDATA', () => {
    const f = parseXml(
      '<xml><UserID><![CDATA[0012]]></UserID><CreateTime>1700000000</CreateTime><Name><![CDATA[a]]>b]]></Name></xml>',
    );
    assert.equal(f.UserID, '0012');
    assert.equal(f.CreateTime, '1700000000');
  });
});

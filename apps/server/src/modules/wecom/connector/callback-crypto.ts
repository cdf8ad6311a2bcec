import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

/**
 * WeCom's callback encryption ("加解密方案"): AES-256-CBC, key = base64(EncodingAESKey + '='),
 * iv = key[0..16], PKCS#7 padded to 32-byte blocks; plaintext = random(16) + msg_len(4, BE) + msg +
 * receiveid. msg_signature = sha1 over the sorted token, timestamp, nonce and ciphertext.
 * The receiveid check matters: without it a callback encrypted for another corp sharing our
 * token/key pair would be accepted as this corp's.
 */
export interface CallbackKeys {
  token: string;
  encodingAESKey: string;
  receiveId: string;
}

export class CallbackCryptoError extends Error {
  readonly code: 'bad_signature' | 'bad_ciphertext' | 'bad_receiver' | 'bad_xml';
  constructor(code: CallbackCryptoError['code']) {
    super(`wecom callback: ${code}`);
    this.code = code;
  }
}

export function aesKeyOf(encodingAESKey: string): Buffer {
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (encodingAESKey.length !== 43 || key.length !== 32) throw new CallbackCryptoError('bad_ciphertext');
  return key;
}

export function signature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
}

export function verifySignature(
  keys: Pick<CallbackKeys, 'token'>,
  q: { msg_signature?: string; timestamp?: string; nonce?: string },
  encrypt: string,
): boolean {
  if (!q.msg_signature || !q.timestamp || !q.nonce) return false;
  const want = Buffer.from(signature(keys.token, q.timestamp, q.nonce, encrypt));
  const got = Buffer.from(String(q.msg_signature).toLowerCase());
  return want.length === got.length && timingSafeEqual(want, got);
}

export function decrypt(keys: CallbackKeys, encrypt: string): string {
  const key = aesKeyOf(keys.encodingAESKey);
  let plain: Buffer;
  try {
    const d = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    d.setAutoPadding(false);
    plain = Buffer.concat([d.update(Buffer.from(encrypt, 'base64')), d.final()]);
  } catch {
    throw new CallbackCryptoError('bad_ciphertext');
  }
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > 32 || plain.length < 20 + pad) throw new CallbackCryptoError('bad_ciphertext');
  plain = plain.subarray(0, plain.length - pad);
  const len = plain.readUInt32BE(16);
  if (20 + len > plain.length) throw new CallbackCryptoError('bad_ciphertext');
  const msg = plain.subarray(20, 20 + len).toString('utf8');
  const receiver = plain.subarray(20 + len).toString('utf8');
  if (receiver !== keys.receiveId) throw new CallbackCryptoError('bad_receiver');
  return msg;
}

/** The inverse, for tests, benchmarks and the passive reply format. */
export function encrypt(keys: CallbackKeys, msg: string): string {
  const key = aesKeyOf(keys.encodingAESKey);
  const body = Buffer.from(msg, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  const raw = Buffer.concat([randomBytes(16), len, body, Buffer.from(keys.receiveId, 'utf8')]);
  const pad = 32 - (raw.length % 32);
  const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(Buffer.concat([raw, Buffer.alloc(pad, pad)])), c.final()]).toString(
    'base64',
  );
}

// Values stay strings (ids like "0123" and numeric-looking userids must not become numbers);
// no entity expansion beyond XML's own five (CDATA carries WeCom's text).
const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: false,
  trimValues: true,
});

export type XmlFields = Record<string, string>;

/** The flat `<xml>` document WeCom sends (envelope and inner message alike). */
export function parseXml(xml: string): XmlFields {
  let doc: any;
  try {
    doc = parser.parse(xml);
  } catch {
    throw new CallbackCryptoError('bad_xml');
  }
  const root = doc?.xml;
  if (!root || typeof root !== 'object') throw new CallbackCryptoError('bad_xml');
  const out: XmlFields = {};
  for (const [k, v] of Object.entries(root)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = String(v);
    else if (v && typeof v === 'object') out[k] = JSON.stringify(v);
  }
  return out;
}

/** Opens an encrypted POST body: signature first (nothing is decrypted for a forged request). */
export function openCallback(
  keys: CallbackKeys,
  q: { msg_signature?: string; timestamp?: string; nonce?: string },
  body: string,
): { message: string; fields: XmlFields } {
  const envelope = parseXml(body);
  const enc = envelope.Encrypt;
  if (!enc) throw new CallbackCryptoError('bad_xml');
  if (!verifySignature(keys, q, enc)) throw new CallbackCryptoError('bad_signature');
  const message = decrypt(keys, enc);
  return { message, fields: parseXml(message) };
}

/** Builds the envelope WeCom would POST (tests, benchmarks). */
export function sealCallback(keys: CallbackKeys, message: string, timestamp: string, nonce: string) {
  const enc = encrypt(keys, message);
  return {
    body: `<xml><ToUserName><![CDATA[${keys.receiveId}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>`,
    query: { msg_signature: signature(keys.token, timestamp, nonce, enc), timestamp, nonce },
  };
}

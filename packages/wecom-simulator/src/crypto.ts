// WeCom's callback crypto (WXBizMsgCrypt): AES-256-CBC with the EncodingAESKey, PKCS#7 padded to 32-byte
// blocks, plaintext = random(16) + msg_len(4, big-endian) + msg + receiveid; msg_signature = SHA-1 over the
// lexically sorted token, timestamp, nonce and ciphertext. Written from the protocol description, checked
// against the official sample vector in crypto.test.ts.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const BLOCK = 32;

export function aesKey(encodingAESKey: string): Buffer {
  if (encodingAESKey.length !== 43) throw new Error('EncodingAESKey must be 43 characters');
  const key = Buffer.from(`${encodingAESKey}=`, 'base64');
  if (key.length !== 32) throw new Error('EncodingAESKey does not decode to 32 bytes');
  return key;
}

export function signature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypt].sort().join('')).digest('hex');
}

export function encrypt(encodingAESKey: string, msg: string, receiveId: string, random?: Buffer): string {
  const key = aesKey(encodingAESKey);
  const body = Buffer.from(msg, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([random ?? randomBytes(16), len, body, Buffer.from(receiveId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

export function decrypt(encodingAESKey: string, encrypted: string): { msg: string; receiveId: string } {
  const key = aesKey(encodingAESKey);
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  decipher.setAutoPadding(false);
  const padded = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  const pad = padded[padded.length - 1];
  if (pad < 1 || pad > BLOCK) throw new Error('bad padding');
  const plain = padded.subarray(0, padded.length - pad);
  const len = plain.readUInt32BE(16);
  if (20 + len > plain.length) throw new Error('bad msg_len');
  return {
    msg: plain.subarray(20, 20 + len).toString('utf8'),
    receiveId: plain.subarray(20 + len).toString('utf8'),
  };
}

const cdata = (v: string) => `<![CDATA[${v.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

export type XmlValue = string | number | string[] | undefined;

/** A WeCom event XML: strings as CDATA, numbers bare (WeCom writes CreateTime, MemChangeCnt … bare),
 *  lists as <Item> children (MemChangeList). */
export function eventXml(fields: Record<string, XmlValue>): string {
  let out = '<xml>';
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) out += `<${k}>${v.map((i) => `<Item>${cdata(i)}</Item>`).join('')}</${k}>`;
    else out += typeof v === 'number' ? `<${k}>${v}</${k}>` : `<${k}>${cdata(v)}</${k}>`;
  }
  return `${out}</xml>`;
}

/** Reads a flat WeCom XML (one level of elements, CDATA or text) into a record; a list of <Item>s
 *  comes back joined with commas. */
export function parseFlatXml(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  const body = xml.replace(/^\s*<xml>/, '').replace(/<\/xml>\s*$/, '');
  const re = /<([A-Za-z_][\w.-]*)>((?:<!\[CDATA\[[\s\S]*?\]\]>|[^<]|<Item>[\s\S]*?<\/Item>)*)<\/\1>/g;
  const text = (v: string) => v.replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1');
  for (const m of body.matchAll(re)) {
    const items = [...m[2].matchAll(/<Item>([\s\S]*?)<\/Item>/g)].map((i) => text(i[1]));
    out[m[1]] = items.length ? items.join(',') : text(m[2]);
  }
  return out;
}

/** What WeCom POSTs: the envelope and the query string it signs. */
export function sealCallback(
  cb: { token: string; encodingAESKey: string },
  corpId: string,
  agentId: number | undefined,
  innerXml: string,
  timestamp: number,
  nonce: string,
): { body: string; query: { msg_signature: string; timestamp: string; nonce: string } } {
  const enc = encrypt(cb.encodingAESKey, innerXml, corpId);
  const ts = String(timestamp);
  return {
    body: eventXml({
      ToUserName: corpId,
      Encrypt: enc,
      AgentID: agentId === undefined ? undefined : String(agentId),
    }),
    query: { msg_signature: signature(cb.token, ts, nonce, enc), timestamp: ts, nonce },
  };
}

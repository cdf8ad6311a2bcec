import { createHmac } from 'node:crypto';

/**
 * Aliyun RPC signature v1 (the one Dysms SendSms uses): the sorted, percent-encoded query
 * (RFC 3986, space as %20, `*` as %2A, `~` kept) becomes
 * `METHOD&%2F&percentEncode(canonicalQuery)`, signed with HMAC-SHA1 and `AccessKeySecret + "&"`.
 */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
}

export function signV1(method: string, params: Record<string, string>, accessKeySecret: string): string {
  const toSign = `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
  return createHmac('sha1', `${accessKeySecret}&`).update(toSign).digest('base64');
}

/** The common parameters plus a signature, as Aliyun's SDKs build them. */
export function signedParams(
  method: string,
  action: string,
  business: Record<string, string>,
  key: { accessKeyId: string; accessKeySecret: string },
  nonce: string,
  now = new Date(),
): Record<string, string> {
  const params: Record<string, string> = {
    AccessKeyId: key.accessKeyId,
    Action: action,
    Format: 'JSON',
    RegionId: 'cn-hangzhou',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: nonce,
    SignatureVersion: '1.0',
    Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: '2017-05-25',
    ...business,
  };
  return { ...params, Signature: signV1(method, params, key.accessKeySecret) };
}

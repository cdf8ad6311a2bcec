import { createHmac, randomUUID } from 'node:crypto';
import { guardedFetch, OutboundError } from '../../../core/net/outbound-url.ts';
import type { SmsAccount } from '../sms-account.service.ts';

/**
 * The Aliyun Dysms RPC API (SendSms, QuerySendDetails, version 2017-05-25) with signature v1:
 * HMAC-SHA1 over `POST&%2F&percentEncode(sorted, percent-encoded query)`, keyed `secret + "&"`.
 * Every request goes through the outbound guard.
 */
const percentEncode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function signAliyun(method: string, params: Record<string, string>, secret: string): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
  return createHmac('sha1', `${secret}&`)
    .update(`${method}&${percentEncode('/')}&${percentEncode(canonical)}`)
    .digest('base64');
}

export type AliyunAnswer =
  | { ok: true; body: Record<string, any> }
  | { ok: false; code: string; message: string; retryable: boolean };

/** Codes worth another try: the provider's own trouble, throttling, and per-minute flow control. */
const RETRYABLE = new Set([
  'isp.SYSTEM_ERROR',
  'isp.RAM_PERMISSION_DENY',
  'Throttling',
  'ServiceUnavailable',
]);

export async function callAliyun(
  account: SmsAccount,
  action: string,
  business: Record<string, string>,
): Promise<AliyunAnswer> {
  const params: Record<string, string> = {
    AccessKeyId: account.accessKeyId,
    Action: action,
    Format: 'JSON',
    RegionId: 'cn-hangzhou',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: randomUUID(),
    SignatureVersion: '1.0',
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Version: '2017-05-25',
    ...business,
  };
  params.Signature = signAliyun('POST', params, account.accessKeySecret);
  try {
    const res = await guardedFetch(
      `${account.endpoint.replace(/\/+$/, '')}/`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(params).toString(),
      },
      { maxRedirects: 0, maxResponseBytes: 256 * 1024 },
    );
    let body: Record<string, any> = {};
    try {
      body = JSON.parse(res.body.toString('utf8'));
    } catch {
      return { ok: false, code: `http_${res.status}`, message: 'not json', retryable: res.status >= 500 };
    }
    const code = String(body.Code ?? `http_${res.status}`);
    if (res.status === 200 && code === 'OK') return { ok: true, body };
    const retryable =
      res.status >= 500 ||
      RETRYABLE.has(code) ||
      (code === 'isv.BUSINESS_LIMIT_CONTROL' && /分钟|minute/i.test(String(body.Message ?? '')));
    return { ok: false, code, message: String(body.Message ?? ''), retryable };
  } catch (err) {
    if (!(err instanceof OutboundError)) throw err;
    return {
      ok: false,
      code: err.code,
      message: err.code,
      retryable: err.code === 'timeout' || err.code === 'connect_failed' || err.code === 'dns_failed',
    };
  }
}

/** Beijing date `yyyyMMdd`, as QuerySendDetails takes it. */
export const beijingDate = (d: Date) =>
  new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10).replace(/-/g, '');

import type { FieldError } from '../errors.ts';
import type { Locale } from '../i18n/locale.ts';

/**
 * What a user is told about an outbound request that did not happen or did not succeed. Built
 * from our error code alone: the target's response body and headers never reach these texts,
 * so a refused or failed request cannot be used to read an internal service.
 */
const zh: Record<string, string> = {
  invalid_url: '网址无效',
  refused_scheme: '已拒绝：只允许 https 网址',
  refused_private_address: '已拒绝：私有地址',
  refused_port: '已拒绝：不允许的端口',
  dns_failed: '域名无法解析',
  connect_failed: '无法连接到目标服务器',
  timeout: '请求超时',
  too_many_redirects: '重定向次数过多',
  response_too_large: '响应内容过大',
  http: '目标服务器返回 HTTP {status}',
  failed: '投递失败',
};
const en: Record<string, string> = {
  invalid_url: 'invalid URL',
  refused_scheme: 'refused: only https URLs are allowed',
  refused_private_address: 'refused: private address',
  refused_port: 'refused: port not allowed',
  dns_failed: 'the host name could not be resolved',
  connect_failed: 'could not connect to the target server',
  timeout: 'the request timed out',
  too_many_redirects: 'too many redirects',
  response_too_large: 'the response was too large',
  http: 'the target server answered HTTP {status}',
  failed: 'delivery failed',
};

/** The localised text for an outbound error code (`http_<status>` included); unknown codes read "failed". */
export function outboundMessage(locale: Locale, code: string): string {
  const texts = locale === 'en-US' ? en : zh;
  const http = /^http_(\d{3})$/.exec(code);
  if (http) return texts.http!.replace('{status}', http[1]!);
  return texts[code] ?? texts.failed!;
}

/** A 422 field error for a URL the guard refuses, with its message already in the caller's language. */
export const outboundFieldError = (locale: Locale, field: string, code: string): FieldError => ({
  field,
  code: `outbound.${code}`,
  message: outboundMessage(locale, code),
});

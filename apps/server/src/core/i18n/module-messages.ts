import { AppError, type FieldError, type ProblemCode } from '../errors.ts';
import type { Locale } from './locale.ts';

/**
 * A module's own texts (zh-CN first, en-US), and problems whose detail is already in the
 * caller's language: the kernel's catalogue is not a module's to extend, and `t()` passes
 * unknown keys through.
 */
export function moduleMessages(zh: Record<string, string>, en: Record<string, string>) {
  const text = (locale: Locale, key: string, params: Record<string, unknown> = {}): string => {
    const template = (locale === 'en-US' ? en : zh)[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (_, k: string) =>
      params[k] === undefined ? `{${k}}` : String(params[k]),
    );
  };
  const problem = (
    code: ProblemCode,
    locale: Locale,
    key: string,
    params: Record<string, unknown> = {},
    errors?: FieldError[],
    /** More stable facts for clients beside `reason` (e.g. who owns a claimed lead). */
    extra: Record<string, unknown> = {},
  ): AppError => {
    const status = code === 'conflict' ? 409 : code === 'not_found' ? 404 : code === 'forbidden' ? 403 : 422;
    return new AppError(code, status, {
      detailKey: text(locale, key, params),
      errors,
      extra: { reason: key, ...extra },
    });
  };
  return { text, problem };
}

import { LOCALES } from '@kehu/contracts/common';

export { LOCALES };
export type Locale = (typeof LOCALES)[number];
export type Label = Record<Locale, string>;

/** Picks zh-CN unless the caller clearly prefers English. */
export function pickLocale(acceptLanguage: string | undefined, fallback: Locale = 'zh-CN'): Locale {
  if (!acceptLanguage) return fallback;
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  if (first.startsWith('en')) return 'en-US';
  if (first.startsWith('zh')) return 'zh-CN';
  return fallback;
}

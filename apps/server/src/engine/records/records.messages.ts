import type { Locale } from '../../core/i18n/locale.ts';

/**
 * The record engine's own problem texts. The platform catalogue is not ours to extend, so these
 * are handed to AppError already in the caller's language (unknown keys pass through `t()`).
 */
const messages: Record<Locale, Record<string, string>> = {
  'zh-CN': {
    unique_shared_values: '已有 {count} 个值被多条记录重复使用，请先处理这些重复数据，再将“{field}”设为唯一',
    import_key_revoked: '启动导入的 API 密钥已被吊销',
  },
  'en-US': {
    unique_shared_values:
      '{count} value(s) are shared by more than one record; remove these duplicates before making "{field}" unique',
    import_key_revoked: 'The API key that started this import has been revoked',
  },
};

export function rt(locale: Locale, key: string, params: Record<string, unknown> = {}): string {
  const template = messages[locale]?.[key] ?? messages['zh-CN'][key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, k: string) =>
    params[k] === undefined ? `{${k}}` : String(params[k]),
  );
}

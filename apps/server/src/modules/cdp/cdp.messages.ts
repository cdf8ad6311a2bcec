import type { AppError, FieldError, ProblemCode } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { moduleMessages } from '../../core/i18n/module-messages.ts';

/**
 * The CDP module's problem texts. The platform catalogue is not ours to extend, so details are
 * localised here and handed to AppError already in the caller's language.
 */
const zh: Record<string, string> = {
  tag_in_use: '标签「{name}」正被 {n} 个标签或分群使用（{list}），请先修改或删除它们',
  tag_not_manual: '只有手动标签可以手动打标或移除',
  events_on_records: '非用户对象的标签和分群只能使用字段和标签条件，不能使用行为事件',
  kind_on_records: '非用户对象只支持属性、组合、CRM 和手动标签',
  used_by_tag: '标签「{name}」',
  used_by_segment: '分群「{name}」',
  rule_field_access: '需要完整查看「{field}」的权限',
  unknown_tag: '没有这个标签',
};
const en: Record<string, string> = {
  tag_in_use: 'Tag “{name}” is used by {n} tags or segments ({list}); change or delete them first',
  tag_not_manual: 'Only manual tags can be set or cleared by hand',
  events_on_records:
    'Tags and segments over objects other than people use field and tag conditions only, not events',
  kind_on_records: 'Objects other than people support attribute, combined, CRM and manual tags only',
  used_by_tag: 'tag “{name}”',
  used_by_segment: 'segment “{name}”',
  rule_field_access: 'You need full access to “{field}” to filter on it',
  unknown_tag: 'There is no such tag',
};

const messages = moduleMessages(zh, en);
export const ct = messages.text;

/** A problem whose detail is already in the caller's language; `reason` keeps the stable key. */
export const cdpProblem = (
  code: ProblemCode,
  locale: Locale,
  key: string,
  params: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): AppError => messages.problem(code, locale, key, params, undefined, extra);

/** A field error with its message already localised (the code stays `cdp.<key>`). */
export const cdpFieldError = (locale: Locale, field: string, key: string): FieldError => ({
  field,
  code: `cdp.${key}`,
  message: ct(locale, key),
});

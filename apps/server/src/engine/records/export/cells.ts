import type { Locale } from '../../../core/i18n/locale.ts';
import type { FieldDef } from '../field-types.ts';
import type { RecordOut } from '../record-mapper.ts';

/**
 * CSV/formula injection (OWASP): a spreadsheet runs a cell that starts with = + - @ (or a tab
 * or CR that hides one). Text cells are prefixed with a single quote so Excel and WPS show
 * them as text; numbers we format ourselves are left alone.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
export function safeCell(v: unknown): unknown {
  return typeof v === 'string' && FORMULA_START.test(v) ? `'${v}` : v;
}

/** RFC 6266/5987: an ASCII fallback plus the UTF-8 name (客户-20261123.csv). */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

const YES: Record<Locale, [string, string]> = { 'zh-CN': ['是', '否'], 'en-US': ['Yes', 'No'] };

export interface Column {
  field: FieldDef;
  /** A currency field takes two columns: the amount in yuan and its currency code. */
  part?: 'amount' | 'currency';
}

export function columnsFor(fields: FieldDef[]): Column[] {
  return fields.flatMap((f) =>
    f.type === 'currency'
      ? [
          { field: f, part: 'amount' as const },
          { field: f, part: 'currency' as const },
        ]
      : [{ field: f }],
  );
}

export function columnHeader(c: Column, locale: Locale, timeZone = 'Asia/Shanghai'): string {
  const label = c.field.label[locale] || c.field.apiName;
  if (c.part === 'currency') return locale === 'zh-CN' ? `${label}（币种）` : `${label} (currency)`;
  // A time means nothing without its zone: the header says which one the column is in.
  if (c.field.type === 'datetime') {
    const zone = `${timeZone}, ${utcOffset(timeZone)}`;
    return locale === 'zh-CN' ? `${label}（${zone}）` : `${label} (${zone})`;
  }
  return label;
}

/** `UTC+08:00` for a zone, at the current date (China has no daylight saving). */
export function utcOffset(timeZone: string, at = new Date()): string {
  const name =
    new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = name.match(/GMT([+-]\d{2}:\d{2})?/);
  return `UTC${m?.[1] ?? '+00:00'}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** `2026-12-06 17:30:05` in `timeZone`: what a person there reads on a clock. */
export function formatInZone(value: string | Date, timeZone: string): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/**
 * One record's value as the viewer sees it in a spreadsheet: labels for picklists, names for
 * references, yuan for money. Masked values arrive already masked from the record mapper and
 * are passed through as text.
 */
export function cellValue(
  c: Column,
  rec: RecordOut,
  locale: Locale,
  forXlsx: boolean,
  timeZone = 'Asia/Shanghai',
): unknown {
  const f = c.field;
  const v = rec[f.apiName];
  if (v === null || v === undefined) return forXlsx ? null : '';
  if (rec._masked?.includes(f.apiName)) return safeCell(String(v));
  switch (f.type) {
    case 'currency': {
      const m = v as { amount: number; currency: string };
      if (c.part === 'currency') return m.currency;
      return forXlsx ? m.amount / 100 : (m.amount / 100).toFixed(2);
    }
    case 'picklist':
      return safeCell(f.options?.find((o) => o.value === v)?.label[locale] ?? String(v));
    case 'multipicklist':
      return safeCell(
        (v as string[])
          .map((x) => f.options?.find((o) => o.value === x)?.label[locale] ?? x)
          .join(locale === 'zh-CN' ? '；' : '; '),
      );
    case 'lookup':
    case 'user':
    case 'unit':
      return safeCell(rec._display?.[f.apiName] ?? String(v));
    case 'boolean':
      return YES[locale][v ? 0 : 1];
    case 'number':
    case 'percent':
      return typeof v === 'number' ? v : safeCell(String(v));
    case 'json':
      return safeCell(JSON.stringify(v));
    case 'datetime':
      return formatInZone(v as string, timeZone);
    default:
      return safeCell(String(v));
  }
}

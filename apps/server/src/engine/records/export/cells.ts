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

export function columnHeader(c: Column, locale: Locale): string {
  const label = c.field.label[locale] || c.field.apiName;
  if (c.part === 'currency') return locale === 'zh-CN' ? `${label}（币种）` : `${label} (currency)`;
  return label;
}

/**
 * One record's value as the viewer sees it in a spreadsheet: labels for picklists, names for
 * references, yuan for money. Masked values arrive already masked from the record mapper and
 * are passed through as text.
 */
export function cellValue(c: Column, rec: RecordOut, locale: Locale, forXlsx: boolean): unknown {
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
    default:
      return safeCell(String(v));
  }
}

import type { Dashboard } from '@kehu/contracts/staff-analytics';
import type { Locale } from '../../core/i18n/locale.ts';
import { sm } from './staff-analytics.messages.ts';

/** A spreadsheet runs a cell that starts with = + - @ (OWASP CSV injection): such text is quoted with '. */
const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** The ranking as CSV (one row per staff member, then the total), headers in the caller's language; BOM for Excel. */
export function dashboardCsv(d: Dashboard, locale: Locale): string {
  const header = [
    sm.text(locale, 'csv_staff'),
    sm.text(locale, 'csv_unit'),
    ...d.metrics.map((m) => m.label[locale]),
  ];
  const lines = [header.map(cell).join(',')];
  for (const s of d.staff)
    lines.push([s.name, s.unitName, ...d.metrics.map((m) => s.figures[m.key])].map(cell).join(','));
  lines.push([sm.text(locale, 'csv_total'), '', ...d.metrics.map((m) => d.total[m.key])].map(cell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

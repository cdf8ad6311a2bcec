import type { TFunction } from 'i18next';
import type { MetricDef } from './staff-api';

export const P = 'staff-analytics';

/** A figure as people read it: rates with %, times with their unit, no figure as —. */
export function formatFigure(v: number | null | undefined, kind: MetricDef['kind'], t: TFunction): string {
  if (v === null || v === undefined) return '—';
  if (kind === 'percent') return `${v}%`;
  if (kind === 'minutes') return t(`${P}.minutes`, { n: v });
  if (kind === 'seconds') return t(`${P}.seconds`, { n: v });
  return v.toLocaleString();
}

import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Label } from '../../core/i18n/locale.ts';

/** One staff member's figures on one Asia/Shanghai day: numbers by metric key (plus `byChannel`). */
export type StaffDayRow = { staffUserId: string; day: string } & Record<string, unknown>;

export interface MetricSpec {
  key: string;
  label: Label;
  kind: 'count' | 'percent' | 'minutes' | 'seconds';
  /** In the ranking table and the headline cards (the rest are in the export and the staff view). */
  headline?: boolean;
  /** A building block of a ratio: summed, never shown. */
  hidden?: boolean;
  /** Shown as num / den (× factor) of two summed keys, so a period's rate is not an average of daily rates. */
  ratio?: { num: string; den: string; factor?: number };
}

/**
 * What a module contributes to the `staff-figures` extension point: the metrics it knows and a
 * loader for its rows over a period. `load` must apply the caller's scope itself (a report a user
 * runs sees only what that user sees); the dashboard also keeps only the staff the caller may see.
 * Counts are additive over days and staff; rates are declared as ratios of two counts.
 */
export interface StaffFigureSource {
  key: string;
  /** Sources (and their metrics) are shown in this order. */
  order: number;
  metrics: MetricSpec[];
  load(tx: Tx, p: Principal, range: { from: string; to: string }): Promise<StaffDayRow[]>;
}

const sources: StaffFigureSource[] = [];

export function registerStaffFigureSource(s: StaffFigureSource): void {
  if (sources.some((x) => x.key === s.key))
    throw new Error(`staff-figures: source ${s.key} registered twice`);
  const keys = new Set(sources.flatMap((x) => x.metrics.map((m) => m.key)));
  for (const m of s.metrics) {
    if (keys.has(m.key)) throw new Error(`staff-figures: metric ${m.key} of ${s.key} is already declared`);
    keys.add(m.key);
  }
  sources.push(s);
  sources.sort((a, b) => a.order - b.order);
}

export const staffFigureSources = (): readonly StaffFigureSource[] => sources;

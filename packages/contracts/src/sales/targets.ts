import { z } from 'zod';
import { list, RecordData } from '../common.ts';
import { Drill, Fen, IsoDate, Rate } from './figures.ts';

// ------------------------------------------------------------------ requests

export const PeriodQuery = z.object({
  /** `2026-11` or `2026-Q4`. */
  period: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/)
    .optional(),
  unit: z.string().max(40).optional(),
  owner: z.string().max(40).optional(),
});
export type PeriodQuery = z.infer<typeof PeriodQuery>;

// ------------------------------------------------------------------ responses

/** A target with its live achievement over what the viewer may see, and its forecast. */
export const Achievement = z.object({
  target: RecordData,
  from: IsoDate,
  to: IsoDate,
  wonAmount: Fen,
  wonCount: z.number().int(),
  orderAmount: Fen,
  orderCount: z.number().int(),
  /** Won or order figures, whichever the target is measured on. */
  actualAmount: Fen,
  actualCount: z.number().int(),
  amountRate: Rate,
  countRate: Rate,
  weightedPipeline: Fen,
  /** Achieved plus the weighted open pipeline expected to close in the period. */
  forecastAmount: Fen,
  drill: z.object({ won: Drill, orders: Drill, pipeline: Drill }),
});
export type Achievement = z.infer<typeof Achievement>;
export const AchievementList = list(Achievement);
export type AchievementList = z.infer<typeof AchievementList>;

export const ForecastRow = z.object({
  /** `2026-11`; the period itself on the total row. */
  month: z.string(),
  won: Fen,
  weighted: Fen,
  open: Fen,
  /** Open opportunities at 80 % or more. */
  commit: Fen,
});
export type ForecastRow = z.infer<typeof ForecastRow>;
export const Forecast = z.object({
  period: z.string(),
  from: IsoDate,
  to: IsoDate,
  months: z.array(ForecastRow),
  total: ForecastRow,
  /** Won so far plus the weighted open pipeline. */
  forecast: Fen,
});
export type Forecast = z.infer<typeof Forecast>;

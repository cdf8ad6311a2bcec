import { z } from 'zod';

/**
 * Staff analytics (issue 11 "Staff analytics", R11.3): one dashboard per staff member and team over
 * the figures modules contribute (WeCom adds and losses, chats and replies, materials, SOP and mass
 * messages, group growth, fission). Routes under /api/v1/staff-analytics.
 */
export const STAFF_ANALYTICS_PERMISSIONS = {
  read: 'staff_analytics:read',
  export: 'staff_analytics:export',
} as const;

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const Label = z.object({ 'zh-CN': z.string(), 'en-US': z.string() });

/** A period (the last `days`, or from–to) and a team (unit, with or without the units below) or one staff member. */
export const DashboardQuery = z
  .object({
    days: z.coerce.number().int().min(1).max(366).optional(),
    from: Day.optional(),
    to: Day.optional(),
    unitId: z.uuid().optional(),
    tree: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    staffUserId: z.uuid().optional(),
  })
  .strict();
export type DashboardQuery = z.input<typeof DashboardQuery>;

export const MetricDef = z.object({
  key: z.string(),
  /** The contributing module's figure set (wecom, chats, materials, outreach, fission …). */
  source: z.string(),
  label: Label,
  /** count: summed; ratio: num / den of two counts (× 100 for percentages); minutes / seconds: averages. */
  kind: z.enum(['count', 'percent', 'minutes', 'seconds']),
  /** Shown in the ranking table and as a headline figure. */
  headline: z.boolean(),
});
export type MetricDef = z.infer<typeof MetricDef>;

export const Figures = z.record(z.string(), z.number().nullable());
export type Figures = z.infer<typeof Figures>;

export const StaffFigures = z.object({
  userId: z.string(),
  name: z.string(),
  unitId: z.string(),
  unitName: z.string().nullable(),
  figures: Figures,
});
export type StaffFigures = z.infer<typeof StaffFigures>;

export const TeamFigures = z.object({
  unitId: z.string(),
  unitName: z.string().nullable(),
  staff: z.number().int(),
  figures: Figures,
});
export type TeamFigures = z.infer<typeof TeamFigures>;

export const Dashboard = z.object({
  from: Day,
  to: Day,
  /** What the caller sees: `own` — only themself; otherwise a team. */
  scope: z.enum(['own', 'unit', 'unit_tree', 'tenant']),
  metrics: z.array(MetricDef),
  total: Figures,
  staff: z.array(StaffFigures),
  teams: z.array(TeamFigures),
  daily: z.array(z.object({ day: Day, figures: Figures })),
  /** Customers added per channel code (WeCom `state`; '' = no code) in the selection. */
  channels: z.array(z.object({ channel: z.string(), added: z.number().int() })),
});
export type Dashboard = z.infer<typeof Dashboard>;

/** The quick periods of the picker (a custom range uses from/to). */
export const PERIODS = [7, 30, 90] as const;

import { z } from 'zod';
import { Id, Label } from './common.ts';
import { Achievement, Drill, Fen, IsoDate, Rate, StageKind } from './sales.ts';

/**
 * Analytics (apps/server/src/modules/analytics): the dashboards. Every number comes with the
 * drill-down that lists exactly its records. The routes need only a sign-in: each section is
 * computed from the objects the viewer may read (no analytics permission of its own).
 */

// ------------------------------------------------------------------ requests

export const DashboardQuery = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
  unit: z.string().max(40).optional(),
  channel: z.string().max(64).optional(),
  owner: z.string().max(40).optional(),
});
export type DashboardQuery = z.infer<typeof DashboardQuery>;

// ------------------------------------------------------------------ responses

export const Metric = z.object({ value: z.number().int(), drill: Drill.nullable() });
export type Metric = z.infer<typeof Metric>;
const DrilledMetric = z.object({ value: z.number().int(), drill: Drill });

/** 潜客 comes first when the CDP counts people (to readers of the whole tenant, unfiltered). */
export const FunnelStageKey = z.enum(['prospect', 'lead', 'customer', 'opportunity', 'order']);
export type FunnelStageKey = z.infer<typeof FunnelStageKey>;

export const FunnelStage = z.object({
  key: FunnelStageKey,
  /** False when the viewer may not read the stage's object (or it is not installed). */
  available: z.boolean(),
  value: z.number().int(),
  /** Null when unavailable, or when the cohort is too large to list by id. */
  drill: Drill.nullable(),
  /** Percent of the leads at the previous stage that reached this one; null on the first stage. */
  conversion: Rate,
});
export type FunnelStage = z.infer<typeof FunnelStage>;

/** Counts per stage for one channel (a stage nobody reached is absent). */
export const ChannelCounts = z.object({
  channel: z.string().nullable(),
  lead: z.number().int().optional(),
  customer: z.number().int().optional(),
  opportunity: z.number().int().optional(),
  order: z.number().int().optional(),
});
export type ChannelCounts = z.infer<typeof ChannelCounts>;

export const Funnel = z.object({
  from: IsoDate,
  to: IsoDate,
  stages: z.array(FunnelStage),
  /** Customers created in the period that no lead was converted into; null without read on leads. */
  direct: Metric.nullable(),
  byChannel: z.array(ChannelCounts),
});
export type Funnel = z.infer<typeof Funnel>;

export const TeamFunnel = z.object({
  unitId: Id,
  unitName: z.string(),
  stages: z.array(z.object({ key: FunnelStageKey, value: z.number().int(), drill: Drill.nullable() })),
});
export type TeamFunnel = z.infer<typeof TeamFunnel>;
/** One row per unit directly below the chosen unit. */
export const FunnelByTeam = z.array(TeamFunnel);
export type FunnelByTeam = z.infer<typeof FunnelByTeam>;

export const ResponseTimeBucket = z.object({
  key: z.enum(['lt5m', '5to30m', '30mto2h', '2hto24h', 'gt24h', 'none']),
  value: z.number().int(),
  /** Only the never-answered leads (`none`) have a drill-down. */
  drill: Drill.optional(),
});
export type ResponseTimeBucket = z.infer<typeof ResponseTimeBucket>;

export const ResponseTimes = z.discriminatedUnion('available', [
  z.object({
    available: z.literal(true),
    slaMinutes: z.number().int(),
    total: z.number().int(),
    buckets: z.array(ResponseTimeBucket),
    /** Percent of the period's leads answered within the SLA. */
    withinSla: Rate,
    drill: Drill,
  }),
  z.object({
    available: z.literal(false),
    slaMinutes: z.number().int(),
    total: z.number().int(),
    buckets: z.tuple([]),
    withinSla: z.null(),
  }),
]);
export type ResponseTimes = z.infer<typeof ResponseTimes>;

export const WinRate = z.discriminatedUnion('available', [
  z.object({
    available: z.literal(true),
    won: DrilledMetric,
    lost: DrilledMetric,
    wonAmount: Fen,
    rate: Rate,
    byOwner: z.array(
      z.object({
        ownerId: Id,
        name: z.string().nullable(),
        won: z.number().int(),
        lost: z.number().int(),
        rate: Rate,
        drill: Drill,
      }),
    ),
    lostReasons: z.array(z.object({ reason: z.string(), value: z.number().int(), drill: Drill })),
  }),
  z.object({ available: z.literal(false) }),
]);
export type WinRate = z.infer<typeof WinRate>;

export const PipelineStageFigures = z.object({
  stage: z.string(),
  label: Label,
  kind: StageKind,
  count: z.number().int(),
  amount: Fen,
  weighted: Fen,
  drill: Drill,
});
export type PipelineStageFigures = z.infer<typeof PipelineStageFigures>;

/** The open pipeline of the default pipeline by stage. */
export const PipelineByStage = z.discriminatedUnion('available', [
  z.object({ available: z.literal(true), pipelineId: Id, stages: z.array(PipelineStageFigures) }),
  z.object({ available: z.literal(false), stages: z.tuple([]) }),
]);
export type PipelineByStage = z.infer<typeof PipelineByStage>;

export const Dashboard = z.object({
  from: IsoDate,
  to: IsoDate,
  funnel: Funnel,
  teams: FunnelByTeam,
  responseTime: ResponseTimes,
  winRate: WinRate,
  pipeline: PipelineByStage,
  targets: z.array(Achievement),
});
export type Dashboard = z.infer<typeof Dashboard>;

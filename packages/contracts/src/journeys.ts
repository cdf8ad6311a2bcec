import { z } from 'zod';
import { Rule } from './cdp/rule.ts';

/** Journeys (apps/server/src/modules/journeys, issue 12; R6.1–R6.3, R13.1). */
export const JOURNEY_PERMISSIONS = {
  read: 'journeys:read',
  manage: 'journeys:manage',
  enrol: 'journeys:enrol',
} as const;

const id = z.string().trim().min(1).max(64);
const name = z.string().trim().min(1).max(200);
const PropFilter = z.object({
  prop: z.string().trim().min(1).max(100),
  op: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists', 'notExists']),
  value: z
    .union([
      z.string().max(500),
      z.number(),
      z.boolean(),
      z.array(z.union([z.string().max(500), z.number()])).max(100),
    ])
    .optional(),
});
export type PropFilter = z.infer<typeof PropFilter>;

/** What enrols a profile. */
export const Trigger = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('segment'),
    segmentId: z.string().uuid(),
    on: z.enum(['enter', 'exit']).default('enter'),
  }),
  z.object({
    kind: z.literal('event'),
    event: z.string().trim().min(1).max(200),
    where: z.array(PropFilter).max(10).default([]),
  }),
  z.object({
    kind: z.literal('date'),
    /** A profile trait (`insurance_expiry`, `birthday`) or a CRM customer field. */
    field: z.union([
      z.object({ trait: z.string().trim().min(1).max(100) }),
      z.object({ crm: z.enum(['customer', 'contact']), field: z.string().trim().min(1).max(100) }),
    ]),
    /** Enter this many days before (negative) or after (positive) the date. */
    offsetDays: z.number().int().min(-366).max(366),
    /** A birthday: the month and day recur every year. */
    yearly: z.boolean().default(false),
  }),
  z.object({
    kind: z.literal('crm'),
    change: z.enum(['lead.created', 'opportunity.stage_changed', 'order.paid']),
    stage: z.string().max(100).optional(),
  }),
  z.object({ kind: z.literal('manual') }),
]);
export type Trigger = z.infer<typeof Trigger>;

export const CHANNELS = ['wecom_private', 'wecom_mass', 'sms', 'email', 'webhook', 'in_app'] as const;

const Duration = z.object({
  amount: z.number().int().min(1).max(10_000),
  unit: z.enum(['minutes', 'hours', 'days']),
});
export type Duration = z.infer<typeof Duration>;

/** Waits: a duration, until a local time (and weekday), or until an event with a timeout. */
const WaitStep = z.discriminatedUnion('mode', [
  z.object({ kind: z.literal('wait'), mode: z.literal('duration'), duration: Duration }),
  z.object({
    kind: z.literal('wait'),
    mode: z.literal('until'),
    /** Local time in the tenant zone, HH:MM. */
    time: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/),
    /** ISO weekdays (1 = Monday); empty: any day. */
    weekdays: z.array(z.number().int().min(1).max(7)).max(7).default([]),
  }),
  z.object({
    kind: z.literal('wait'),
    mode: z.literal('event'),
    event: z.string().trim().min(1).max(200),
    where: z.array(PropFilter).max(10).default([]),
    timeout: Duration,
  }),
]);

/** A step's settings by kind; `entry` is where every run starts. */
export const StepData = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('entry') }),
  WaitStep,
  z.object({ kind: z.literal('condition'), rule: Rule }),
  z.object({
    kind: z.literal('random'),
    variants: z
      .array(
        z.object({ key: z.string().regex(/^[a-z0-9_-]{1,20}$/), weight: z.number().int().min(1).max(100) }),
      )
      .min(2)
      .max(10),
  }),
  z.object({
    kind: z.literal('send'),
    channel: z.enum(CHANNELS),
    purpose: z.enum(['marketing', 'service']).default('marketing'),
    templateId: z.string().uuid().optional(),
    content: z
      .object({
        subject: z.string().max(200).optional(),
        text: z.string().trim().min(1).max(4000),
        url: z.string().url().max(2048).optional(),
      })
      .optional(),
    /** A coupon issued for the profile goes into the message as `coupon_code`. */
    couponTemplateId: z.string().uuid().optional(),
    onSkip: z.enum(['continue', 'exit']).default('continue'),
  }),
  z.object({
    kind: z.literal('task'),
    title: z.string().trim().min(1).max(200),
    body: z.string().max(2000).optional(),
  }),
  z.object({ kind: z.literal('tag'), tagId: z.string().uuid(), action: z.enum(['add', 'remove']) }),
  z.object({
    kind: z.literal('field'),
    trait: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/),
    value: z.union([z.string().max(500), z.number(), z.boolean(), z.null()]),
  }),
  z.object({ kind: z.literal('lead'), title: z.string().trim().min(1).max(200) }),
  z.object({ kind: z.literal('exit') }),
]);
export type StepData = z.infer<typeof StepData>;
export type StepKind = StepData['kind'];

export const GraphNode = z.object({
  id,
  data: StepData,
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  label: z.string().max(100).optional(),
});
export type GraphNode = z.infer<typeof GraphNode>;
/** `sourceHandle`: `next`; `yes`/`no` of a condition; a variant key of a random split; `event`/`timeout` of an event wait. */
export const GraphEdge = z.object({
  id,
  source: id,
  target: id,
  sourceHandle: z.string().max(40).default('next'),
});
export type GraphEdge = z.infer<typeof GraphEdge>;
export const Graph = z.object({
  nodes: z.array(GraphNode).min(1).max(200),
  edges: z.array(GraphEdge).max(400),
});
export type Graph = z.infer<typeof Graph>;

export const Goal = z.object({
  kind: z.enum(['event', 'segment']),
  event: z.string().trim().min(1).max(200).optional(),
  where: z.array(PropFilter).max(10).default([]),
  segmentId: z.string().uuid().optional(),
  windowDays: z.number().int().min(1).max(365).default(30),
  exitOnGoal: z.boolean().default(true),
});
export type Goal = z.infer<typeof Goal>;

export const Reentry = z.discriminatedUnion('policy', [
  z.object({ policy: z.literal('never') }),
  z.object({ policy: z.literal('after'), days: z.number().int().min(1).max(3650) }),
  z.object({ policy: z.literal('always') }),
]);
export type Reentry = z.infer<typeof Reentry>;

export const JourneyDefinition = z.object({
  trigger: Trigger,
  graph: Graph,
  goal: Goal.nullable().default(null),
  reentry: Reentry.default({ policy: 'never' }),
  /** Share of entrants kept out of every step (the control group for uplift), 0–50 %. */
  holdoutPercent: z.number().int().min(0).max(50).default(0),
});
export type JourneyDefinition = z.infer<typeof JourneyDefinition>;

export const JourneyInput = z.object({
  name,
  description: z.string().max(2000).optional(),
  definition: JourneyDefinition,
});
export type JourneyInput = z.infer<typeof JourneyInput>;

/** Which exits the handles of each step kind must have. */
export function handlesOf(d: StepData): string[] {
  switch (d.kind) {
    case 'exit':
      return [];
    case 'condition':
      return ['yes', 'no'];
    case 'random':
      return d.variants.map((v) => v.key);
    case 'wait':
      return d.mode === 'event' ? ['event', 'timeout'] : ['next'];
    default:
      return ['next'];
  }
}

export interface GraphIssue {
  nodeId?: string;
  code:
    | 'no_entry'
    | 'many_entries'
    | 'unreachable'
    | 'missing_branch'
    | 'unknown_target'
    | 'duplicate_id'
    | 'cycle_without_wait'
    | 'extra_branch'
    | 'duplicate_branch';
  handle?: string;
}

/**
 * A graph runs when: exactly one entry; every node reachable from it; every handle of every
 * step leads to exactly one known node (so every path ends in an exit); and every cycle passes
 * a wait (a loop without one would spin a run forever within one advance).
 */
export function checkGraph(g: Graph): GraphIssue[] {
  const issues: GraphIssue[] = [];
  const byId = new Map<string, GraphNode>();
  for (const n of g.nodes) {
    if (byId.has(n.id)) issues.push({ nodeId: n.id, code: 'duplicate_id' });
    byId.set(n.id, n);
  }
  const entries = g.nodes.filter((n) => n.data.kind === 'entry');
  if (entries.length === 0) issues.push({ code: 'no_entry' });
  if (entries.length > 1)
    for (const e of entries.slice(1)) issues.push({ nodeId: e.id, code: 'many_entries' });
  const out = new Map<string, Map<string, string>>();
  for (const e of g.edges) {
    const src = byId.get(e.source);
    if (!src || !byId.has(e.target)) {
      issues.push({ nodeId: e.source, code: 'unknown_target', handle: e.sourceHandle });
      continue;
    }
    if (!handlesOf(src.data).includes(e.sourceHandle)) {
      issues.push({ nodeId: e.source, code: 'extra_branch', handle: e.sourceHandle });
      continue;
    }
    const m = out.get(e.source) ?? new Map<string, string>();
    if (m.has(e.sourceHandle))
      issues.push({ nodeId: e.source, code: 'duplicate_branch', handle: e.sourceHandle });
    m.set(e.sourceHandle, e.target);
    out.set(e.source, m);
  }
  for (const n of g.nodes)
    for (const h of handlesOf(n.data))
      if (!out.get(n.id)?.has(h)) issues.push({ nodeId: n.id, code: 'missing_branch', handle: h });
  const entry = entries[0];
  if (entry) {
    const seen = new Set<string>([entry.id]);
    const stack = [entry.id];
    while (stack.length)
      for (const t of out.get(stack.pop()!)?.values() ?? [])
        if (!seen.has(t)) {
          seen.add(t);
          stack.push(t);
        }
    for (const n of g.nodes) if (!seen.has(n.id)) issues.push({ nodeId: n.id, code: 'unreachable' });
  }
  // A cycle among non-wait nodes: depth-first search over the graph without wait nodes.
  const state = new Map<string, 1 | 2>();
  const visit = (nid: string): boolean => {
    state.set(nid, 1);
    for (const t of out.get(nid)?.values() ?? []) {
      if (byId.get(t)?.data.kind === 'wait') continue;
      const s = state.get(t);
      if (s === 1) {
        issues.push({ nodeId: t, code: 'cycle_without_wait' });
        return true;
      }
      if (s === undefined && visit(t)) return true;
    }
    state.set(nid, 2);
    return false;
  };
  for (const n of g.nodes) if (n.data.kind !== 'wait' && !state.has(n.id) && visit(n.id)) break;
  return issues;
}

export const JourneyStatus = z.enum(['draft', 'live', 'paused', 'archived']);
export const JourneySummary = z.object({
  id: z.string().uuid(),
  name: z.string(),
  status: JourneyStatus,
  liveVersion: z.number().int().nullable(),
  draftVersion: z.number().int().nullable(),
  triggerKind: z.string(),
  entered: z.number().int(),
  active: z.number().int(),
  converted: z.number().int(),
  updatedAt: z.string(),
});
export type JourneySummary = z.infer<typeof JourneySummary>;

export const JourneyVersion = z.object({
  version: z.number().int(),
  status: z.enum(['draft', 'published', 'archived']),
  definition: JourneyDefinition,
  publishedAt: z.string().nullable(),
});
export const JourneyDetail = JourneySummary.extend({
  description: z.string().nullable(),
  versions: z.array(JourneyVersion.omit({ definition: true })),
  draft: JourneyVersion.nullable(),
  live: JourneyVersion.nullable(),
});
export type JourneyDetail = z.infer<typeof JourneyDetail>;

export const StepStats = z.object({
  stepId: z.string(),
  kind: z.string(),
  now: z.number().int(),
  executed: z.number().int(),
  sent: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  delivered: z.number().int(),
  opened: z.number().int(),
  clicked: z.number().int(),
  skipReasons: z.record(z.string(), z.number().int()),
});
export const JourneyAnalytics = z.object({
  version: z.number().int().nullable(),
  entered: z.number().int(),
  active: z.number().int(),
  finished: z.number().int(),
  treatment: z.object({ n: z.number().int(), converted: z.number().int(), rate: z.number() }),
  holdout: z.object({ n: z.number().int(), converted: z.number().int(), rate: z.number() }),
  /** Treatment rate − holdout rate, with a 95 % two-proportion (Wald) interval; null without both groups. */
  uplift: z.object({ value: z.number(), low: z.number(), high: z.number() }).nullable(),
  revenue: z.number(),
  steps: z.array(StepStats),
});
export type JourneyAnalytics = z.infer<typeof JourneyAnalytics>;

export const EnrolInput = z.object({ profileIds: z.array(z.string().uuid()).min(1).max(1000) });
export const EnrolResult = z.object({ entered: z.number().int(), skipped: z.number().int() });

export const RunStep = z.object({
  stepId: z.string(),
  kind: z.string(),
  visit: z.number().int(),
  outcome: z.string(),
  reason: z.string().nullable(),
  at: z.string(),
});
export const ProfileRun = z.object({
  runId: z.string().uuid(),
  journeyId: z.string().uuid(),
  journeyName: z.string(),
  version: z.number().int(),
  status: z.string(),
  stepId: z.string().nullable(),
  enteredAt: z.string(),
  steps: z.array(RunStep),
});
export type ProfileRun = z.infer<typeof ProfileRun>;

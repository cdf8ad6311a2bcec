import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Label } from '../../core/i18n/locale.ts';
import { auc, contributions, type LogisticModel, predict, train } from '../../core/math/logistic.ts';
import { cached, invalidateTenant } from './config-cache.ts';

/**
 * R3.2/R12.1 lead scoring. A rule-based scorecard (weighted indicators, editable per tenant)
 * scores every lead; once a tenant has MIN_LABELLED converted/disqualified leads, a logistic
 * regression trained on that history takes over. Its features are the scorecard's own
 * indicator points, so a model's reasons read exactly like the scorecard's.
 */
export const MIN_LABELLED = 50;

export interface Indicator {
  key: string;
  label: Label;
  weight: number;
  /** Lead field the indicator reads (`engagement` reads several). */
  field: string;
  /** Points 0..1 per field value; `budget` uses yuan thresholds; `engagement` counts filled details. */
  points?: Record<string, number>;
  thresholds?: { min: number; points: number }[];
  default: number;
}

export interface Scorecard {
  indicators: Indicator[];
}

const L = (zh: string, en: string): Label => ({ 'zh-CN': zh, 'en-US': en });

export const DEFAULT_SCORECARD: Scorecard = {
  indicators: [
    {
      key: 'need_fit',
      label: L('需求匹配度', 'Need fit'),
      weight: 25,
      field: 'need',
      points: { urgent: 1, clear: 0.75, vague: 0.35, none: 0 },
      default: 0.3,
    },
    {
      key: 'budget',
      label: L('预算', 'Budget'),
      weight: 20,
      field: 'budget',
      thresholds: [
        { min: 1_000_000, points: 1 },
        { min: 200_000, points: 0.8 },
        { min: 50_000, points: 0.55 },
        { min: 10_000, points: 0.35 },
        { min: 0, points: 0.15 },
      ],
      default: 0.25,
    },
    {
      key: 'decision_chain',
      label: L('决策链复杂度', 'Decision-chain complexity'),
      weight: 10,
      field: 'decisionChain',
      points: { simple: 1, moderate: 0.65, complex: 0.35 },
      default: 0.5,
    },
    {
      key: 'company_size',
      label: L('公司规模', 'Company size'),
      weight: 15,
      field: 'companySize',
      points: { enterprise: 1, large: 0.85, medium: 0.65, small: 0.45, micro: 0.25 },
      default: 0.4,
    },
    {
      key: 'industry',
      label: L('行业匹配', 'Industry fit'),
      weight: 10,
      field: 'industry',
      points: { auto: 1, manufacturing: 0.8, real_estate: 0.7, retail: 0.6, it: 0.6, finance: 0.5 },
      default: 0.4,
    },
    {
      key: 'channel_quality',
      label: L('渠道质量', 'Channel quality'),
      weight: 10,
      field: 'channel',
      points: {
        referral: 1,
        walk_in: 0.9,
        exhibition: 0.75,
        wecom: 0.7,
        web_form: 0.6,
        call_center: 0.55,
        ad: 0.4,
        api: 0.5,
        import: 0.3,
      },
      default: 0.4,
    },
    {
      key: 'engagement',
      label: L('互动与资料完整度', 'Engagement'),
      weight: 10,
      field: 'engagement',
      default: 0,
    },
  ],
};

export interface ScoreReason {
  key: string;
  label: Label;
  /** Share of the score (scorecard: points out of 100; model: push on the log-odds). */
  impact: number;
  value: unknown;
}

export interface ScoreResult {
  score: number;
  reasons: ScoreReason[];
  source: 'scorecard' | 'model';
}

export interface StoredModel extends LogisticModel {
  trainedAt: string;
  samples: number;
  auc: number;
  scorecardAuc: number;
}

export interface LeadSettings {
  scorecard: Scorecard;
  model: StoredModel | null;
  sla: { defaultMinutes: number; byChannel: Record<string, number> };
  pool: { claimPerDay: number; maxHeld: number; reclaimDays: number };
}

export const DEFAULT_SLA = { defaultMinutes: 30, byChannel: {} as Record<string, number> };
export const DEFAULT_POOL = { claimPerDay: 20, maxHeld: 200, reclaimDays: 7 };

export async function loadSettings(tx: Tx, tenantId: string): Promise<LeadSettings> {
  const row = (
    await sql<{
      scorecard: Scorecard | null;
      model: StoredModel | null;
      sla: LeadSettings['sla'] | null;
      pool: LeadSettings['pool'] | null;
    }>`select scorecard, model, sla, pool from lead_settings where tenant_id = ${tenantId}`.execute(tx)
  ).rows[0];
  return {
    scorecard: row?.scorecard ?? DEFAULT_SCORECARD,
    model: row?.model ?? null,
    sla: { ...DEFAULT_SLA, ...(row?.sla ?? {}) },
    pool: { ...DEFAULT_POOL, ...(row?.pool ?? {}) },
  };
}

/** The intake hot path's copy (see config-cache.ts). */
export const loadSettingsCached = (tx: Tx, tenantId: string) =>
  cached(`settings:${tenantId}`, () => loadSettings(tx, tenantId));

export async function saveSettings(
  tx: Tx,
  tenantId: string,
  patch: Partial<Record<'scorecard' | 'model' | 'sla' | 'pool', unknown>>,
): Promise<void> {
  invalidateTenant(tenantId);
  const v = (k: keyof typeof patch) => (patch[k] === undefined ? null : JSON.stringify(patch[k]));
  await sql`insert into lead_settings (tenant_id, scorecard, model, sla, pool)
    values (${tenantId}, ${v('scorecard')}::jsonb, ${v('model')}::jsonb, ${v('sla')}::jsonb, ${v('pool')}::jsonb)
    on conflict (tenant_id) do update set
      scorecard = case when ${patch.scorecard !== undefined} then excluded.scorecard else lead_settings.scorecard end,
      model = case when ${patch.model !== undefined} then excluded.model else lead_settings.model end,
      sla = case when ${patch.sla !== undefined} then excluded.sla else lead_settings.sla end,
      pool = case when ${patch.pool !== undefined} then excluded.pool else lead_settings.pool end,
      updated_at = now()`.execute(tx);
}

/** Points 0..1 of one indicator for a lead's values. */
export function indicatorPoints(ind: Indicator, lead: Record<string, unknown>): number {
  if (ind.field === 'engagement') {
    const details = ['phone', 'email', 'title', 'company', 'remark'].filter((k) => lead[k]).length / 5;
    const acts = Math.min(1, Number(lead.activityCount ?? 0) / 3);
    return Math.min(1, 0.6 * details + 0.4 * acts);
  }
  const v = lead[ind.field];
  if (v === null || v === undefined || v === '') return ind.default;
  if (ind.thresholds) {
    const amount = typeof v === 'object' ? Number((v as { amount?: number }).amount ?? 0) / 100 : Number(v);
    for (const t of ind.thresholds) if (amount >= t.min) return t.points;
    return ind.default;
  }
  return ind.points?.[String(v)] ?? ind.default;
}

export const featureVector = (card: Scorecard, lead: Record<string, unknown>) =>
  card.indicators.map((ind) => indicatorPoints(ind, lead));

export function scorecardScore(card: Scorecard, lead: Record<string, unknown>): ScoreResult {
  const total = card.indicators.reduce((s, i) => s + Math.max(0, i.weight), 0) || 1;
  const parts = card.indicators.map((ind) => {
    const p = indicatorPoints(ind, lead);
    return {
      key: ind.key,
      label: ind.label,
      impact: Math.round(((Math.max(0, ind.weight) * p) / total) * 1000) / 10,
      value: ind.field === 'engagement' ? null : (lead[ind.field] ?? null),
    };
  });
  const score = Math.round(parts.reduce((s, p) => s + p.impact, 0));
  return { score, source: 'scorecard', reasons: parts.sort((a, b) => b.impact - a.impact).slice(0, 3) };
}

export function modelScore(card: Scorecard, model: StoredModel, lead: Record<string, unknown>): ScoreResult {
  const x = featureVector(card, lead);
  const p = predict(model, x);
  const labels = new Map(card.indicators.map((i) => [i.key, i]));
  const reasons = contributions(model, x)
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, 3)
    .map((c) => {
      const ind = labels.get(c.feature);
      return {
        key: c.feature,
        label: ind?.label ?? L(c.feature, c.feature),
        impact: Math.round(c.value * 100) / 100,
        value: ind && ind.field !== 'engagement' ? (lead[ind.field] ?? null) : null,
      };
    });
  return { score: Math.round(p * 100), source: 'model', reasons };
}

export function scoreLead(settings: LeadSettings, lead: Record<string, unknown>): ScoreResult {
  const m = settings.model;
  // A model trained on another scorecard's indicators cannot read this one's features.
  const base =
    m && m.features.join() === settings.scorecard.indicators.map((i) => i.key).join()
      ? modelScore(settings.scorecard, m, lead)
      : scorecardScore(settings.scorecard, lead);
  return applyCallOutcomes(base, lead.callOutcomes as CallFacts | null | undefined);
}

/** What the lead's logged calls said: counts per outcome and the latest one. */
export interface CallFacts {
  connected: number;
  no_answer: number;
  invalid_number: number;
  refused: number;
  last: string | null;
}

/**
 * Call outcomes move the score after the scorecard or the model (they are facts about reaching
 * the person, not about fit): the latest call to an invalid number (空号) takes 50 points — the
 * lead is likely unreachable until someone corrects the number, and a later connected call
 * lifts it again; each refused call (拒接) takes 10 and each unanswered call (未接通) after the
 * first takes 5, at most 20 for the two together. The penalty is the first reason shown.
 */
export function applyCallOutcomes(base: ScoreResult, facts: CallFacts | null | undefined): ScoreResult {
  if (!facts) return base;
  const penalties: ScoreReason[] = [];
  if (facts.last === 'invalid_number')
    penalties.push({
      key: 'call_invalid_number',
      label: L('最近一次通话为空号', 'Last call: invalid number'),
      impact: -50,
      value: 'invalid_number',
    });
  const unreachable = Math.min(20, facts.refused * 10 + Math.max(0, facts.no_answer - 1) * 5);
  if (unreachable > 0)
    penalties.push({
      key: 'call_unreachable',
      label: L(
        `拒接 ${facts.refused} 次、未接通 ${facts.no_answer} 次`,
        `Refused ${facts.refused}×, no answer ${facts.no_answer}×`,
      ),
      impact: -unreachable,
      value: { refused: facts.refused, noAnswer: facts.no_answer },
    });
  if (penalties.length === 0) return base;
  // A model's impacts are log-odds pushes, not points: its penalty reasons still read in points.
  const total = penalties.reduce((s, p) => s + p.impact, 0);
  return {
    score: Math.max(0, Math.min(100, base.score + total)),
    source: base.source,
    reasons: [...penalties, ...base.reasons].slice(0, 3),
  };
}

const CALL_FACTS = sql`(select json_build_object(
    'connected', count(*) filter (where a.outcome = 'connected'),
    'no_answer', count(*) filter (where a.outcome = 'no_answer'),
    'invalid_number', count(*) filter (where a.outcome = 'invalid_number'),
    'refused', count(*) filter (where a.outcome = 'refused'),
    'last', (array_agg(a.outcome order by a.occurred_at desc nulls last, a.id desc))[1])
  from activities a where a.tenant_id = l.tenant_id and a.lead_id = l.id and a.type = 'call'
    and a.outcome is not null and a.deleted_at is null) as "callOutcomes"`;

const LEAD_COLUMNS = sql`l.need, l.budget, l.decision_chain as "decisionChain", l.company_size as "companySize",
  l.industry, l.channel, l.phone, l.email, l.title, l.company, l.remark, l.status,
  (select count(*)::int from activities a where a.tenant_id = l.tenant_id and a.lead_id = l.id and a.deleted_at is null) as "activityCount",
  ${CALL_FACTS}`;

/** The facts a score reads beyond the lead's own fields: its activity count and call outcomes. */
export async function leadFacts(
  tx: Tx,
  tenantId: string,
  ids: string[],
): Promise<Map<string, { activityCount: number; callOutcomes: CallFacts }>> {
  if (ids.length === 0) return new Map();
  const rows = (
    await sql<{ id: string; activityCount: number; callOutcomes: CallFacts }>`select l.id,
      (select count(*)::int from activities a where a.tenant_id = l.tenant_id and a.lead_id = l.id and a.deleted_at is null) as "activityCount",
      ${CALL_FACTS}
      from leads l where l.tenant_id = ${tenantId} and l.id = any(${ids}::uuid[])`.execute(tx)
  ).rows;
  return new Map(rows.map((r) => [r.id, { activityCount: r.activityCount, callOutcomes: r.callOutcomes }]));
}

/** Scores leads as stored now (fields, activities, call outcomes). */
export async function scoreStoredLeads(
  tx: Tx,
  tenantId: string,
  ids: string[],
): Promise<Map<string, ScoreResult>> {
  if (ids.length === 0) return new Map();
  const settings = await loadSettings(tx, tenantId);
  const rows = (
    await sql<Record<string, unknown> & { id: string }>`select l.id, ${LEAD_COLUMNS} from leads l
      where l.tenant_id = ${tenantId} and l.id = any(${ids}::uuid[])`.execute(tx)
  ).rows;
  return new Map(rows.map((r) => [r.id, scoreLead(settings, r)]));
}

export interface TrainResult {
  trained: boolean;
  samples: number;
  positives: number;
  auc?: number;
  scorecardAuc?: number;
  reason?: string;
}

/**
 * Trains on converted (1) vs disqualified (0) leads; holds out every fifth lead to compare
 * the model with the scorecard on the same leads, then refits on all of them. With fewer
 * than MIN_LABELLED labelled leads the tenant stays on the scorecard.
 */
export async function trainModel(tx: Tx, tenantId: string): Promise<TrainResult> {
  const settings = await loadSettings(tx, tenantId);
  const rows = (
    await sql<Record<string, unknown>>`select ${LEAD_COLUMNS} from leads l
      where l.tenant_id = ${tenantId} and l.deleted_at is null and l.status in ('converted', 'disqualified')
      order by l.id desc limit 50000`.execute(tx)
  ).rows;
  const ys = rows.map((r) => (r.status === 'converted' ? 1 : 0));
  const positives = ys.reduce((s: number, y) => s + y, 0);
  if (rows.length < MIN_LABELLED || positives === 0 || positives === rows.length) {
    if (settings.model) await saveSettings(tx, tenantId, { model: null });
    return { trained: false, samples: rows.length, positives, reason: 'too_little_history' };
  }
  const card = settings.scorecard;
  const features = card.indicators.map((i) => i.key);
  const xs = rows.map((r) => featureVector(card, r));
  const trainIdx = xs.map((_, i) => i).filter((i) => i % 5 !== 0);
  const testIdx = xs.map((_, i) => i).filter((i) => i % 5 === 0);
  const holdout = train(
    features,
    trainIdx.map((i) => xs[i]!),
    trainIdx.map((i) => ys[i]!),
  );
  const testY = testIdx.map((i) => ys[i]!);
  const modelAuc = auc(
    testIdx.map((i) => predict(holdout, xs[i]!)),
    testY,
  );
  const cardAuc = auc(
    testIdx.map((i) => scorecardScore(card, rows[i]!).score),
    testY,
  );
  const full = train(features, xs, ys);
  const model: StoredModel = {
    ...full,
    trainedAt: new Date().toISOString(),
    samples: rows.length,
    auc: round3(modelAuc),
    scorecardAuc: round3(cardAuc),
  };
  await saveSettings(tx, tenantId, { model });
  return { trained: true, samples: rows.length, positives, auc: model.auc, scorecardAuc: model.scorecardAuc };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** Re-scores a tenant's open leads after the scorecard or the model changed. */
export async function rescoreOpenLeads(tx: Tx, tenantId: string): Promise<number> {
  const settings = await loadSettings(tx, tenantId);
  const rows = (
    await sql<Record<string, unknown> & { id: string }>`select l.id, ${LEAD_COLUMNS} from leads l
      where l.tenant_id = ${tenantId} and l.deleted_at is null and l.status in ('new', 'contacted', 'qualified', 'pooled')
      limit 20000`.execute(tx)
  ).rows;
  for (const r of rows) {
    const s = scoreLead(settings, r);
    await sql`update leads set score = ${s.score}, score_reasons = ${JSON.stringify(s.reasons)}::jsonb, score_source = ${s.source}
      where tenant_id = ${tenantId} and id = ${r.id}`.execute(tx);
  }
  return rows.length;
}

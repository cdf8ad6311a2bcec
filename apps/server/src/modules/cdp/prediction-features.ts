import { type RawBuilder, sql } from 'kysely';
import type { Label, Locale } from '../../core/i18n/locale.ts';

/**
 * Predicted tags (R2.1, R12.4): the feature set, population and label definitions, and the
 * business-worded explanations. Everything here is "as of a cut-off T": features read only
 * events and orders strictly before T, labels only those in [T, T + horizon). Training puts T
 * at now − horizon so the label window is the observed past; scoring puts T at now.
 */

export type Target = 'churn' | 'repurchase';
export interface PredictionConfig {
  target: Target;
  /** Days the prediction looks ahead (and the label window when training). */
  horizonDays: number;
  /** Probability thresholds: ≥ high → 'high', ≥ mid → 'mid', else 'low'. */
  bands: { high: number; mid: number };
  /** Churn means no activity at all (default) or no purchase in the horizon. */
  churnOn?: 'activity' | 'purchase';
  /** Event names that count as purchases (besides CRM orders). */
  purchaseEvents?: string[];
}

export const DEFAULT_PURCHASE_EVENTS = ['Order Completed'];
/** Features look back this far; "never" in the window reads as this many days. */
export const LOOKBACK_DAYS = 365;
export const DAY_MS = 86_400_000;

export function withDefaults(c: Partial<PredictionConfig> | undefined): PredictionConfig {
  const target = c?.target === 'repurchase' ? 'repurchase' : 'churn';
  return {
    target,
    horizonDays: c?.horizonDays ?? 90,
    bands: c?.bands ?? { high: 0.7, mid: 0.4 },
    churnOn: c?.churnOn ?? 'activity',
    purchaseEvents: c?.purchaseEvents?.length ? c.purchaseEvents : DEFAULT_PURCHASE_EVENTS,
  };
}

const L = (zh: string, en: string): Label => ({ 'zh-CN': zh, 'en-US': en });

export interface FeatureDef {
  key: string;
  label: Label;
  binary?: boolean;
  /** Business wording of the raw value, e.g. "12 events in the last 30 days". */
  say(v: number, locale: Locale): string;
}

const n0 = (v: number) => Math.round(v);
const money = (v: number) => `¥${Math.round(v).toLocaleString('en-US')}`;
const never = (v: number) => v >= LOOKBACK_DAYS - 0.5;

/** The features, in model order. Keep in step with `featureSql` below. */
export const FEATURES: FeatureDef[] = [
  {
    key: 'days_since_event',
    label: L('距上次行为天数', 'Days since last activity'),
    say: (v, l) =>
      never(v)
        ? l === 'zh-CN'
          ? `近 ${LOOKBACK_DAYS} 天无任何行为`
          : `no activity in ${LOOKBACK_DAYS} days`
        : l === 'zh-CN'
          ? `距上次行为 ${n0(v)} 天`
          : `${n0(v)} days since last activity`,
  },
  {
    key: 'days_since_purchase',
    label: L('距上次购买天数', 'Days since last purchase'),
    say: (v, l) =>
      never(v)
        ? l === 'zh-CN'
          ? `近 ${LOOKBACK_DAYS} 天无购买`
          : `no purchase in ${LOOKBACK_DAYS} days`
        : l === 'zh-CN'
          ? `距上次购买 ${n0(v)} 天`
          : `${n0(v)} days since last purchase`,
  },
  {
    key: 'events_30d',
    label: L('近 30 天行为次数', 'Events, last 30 days'),
    say: (v, l) => (l === 'zh-CN' ? `近 30 天行为 ${n0(v)} 次` : `${n0(v)} events in the last 30 days`),
  },
  {
    key: 'events_90d',
    label: L('近 90 天行为次数', 'Events, last 90 days'),
    say: (v, l) => (l === 'zh-CN' ? `近 90 天行为 ${n0(v)} 次` : `${n0(v)} events in the last 90 days`),
  },
  {
    key: 'purchases_90d',
    label: L('近 90 天购买次数', 'Purchases, last 90 days'),
    say: (v, l) =>
      v < 0.5
        ? l === 'zh-CN'
          ? '近 90 天无购买'
          : 'no purchase in the last 90 days'
        : l === 'zh-CN'
          ? `近 90 天购买 ${n0(v)} 次`
          : `${n0(v)} purchases in the last 90 days`,
  },
  {
    key: 'purchases_180d',
    label: L('近 180 天购买次数', 'Purchases, last 180 days'),
    say: (v, l) =>
      v < 0.5
        ? l === 'zh-CN'
          ? '近 180 天无购买'
          : 'no purchase in the last 180 days'
        : l === 'zh-CN'
          ? `近 180 天购买 ${n0(v)} 次`
          : `${n0(v)} purchases in the last 180 days`,
  },
  {
    key: 'value_90d',
    label: L('近 90 天消费金额', 'Spend, last 90 days'),
    say: (v, l) => (l === 'zh-CN' ? `近 90 天消费 ${money(v)}` : `${money(v)} spent in the last 90 days`),
  },
  {
    key: 'value_180d',
    label: L('近 180 天消费金额', 'Spend, last 180 days'),
    say: (v, l) => (l === 'zh-CN' ? `近 180 天消费 ${money(v)}` : `${money(v)} spent in the last 180 days`),
  },
  {
    key: 'tenure_days',
    label: L('首次出现至今天数', 'Days since first seen'),
    say: (v, l) => (l === 'zh-CN' ? `首次出现于 ${n0(v)} 天前` : `first seen ${n0(v)} days ago`),
  },
  {
    key: 'event_types_30d',
    label: L('近 30 天行为种类', 'Kinds of event, last 30 days'),
    say: (v, l) =>
      l === 'zh-CN' ? `近 30 天 ${n0(v)} 种行为` : `${n0(v)} kinds of event in the last 30 days`,
  },
  {
    key: 'marketing_withdrawn',
    label: L('已撤回营销授权', 'Marketing consent withdrawn'),
    binary: true,
    say: (v, l) =>
      v >= 0.5
        ? l === 'zh-CN'
          ? '已撤回营销授权'
          : 'marketing consent withdrawn'
        : l === 'zh-CN'
          ? '营销授权有效'
          : 'marketing consent in place',
  },
];
export const FEATURE_KEYS = FEATURES.map((f) => f.key);

/** Counts, days and money are long-tailed: the model sees ln(1 + value). */
export const transform = (f: FeatureDef, v: number) =>
  f.binary ? (v > 0 ? 1 : 0) : Math.log1p(Math.max(0, v));

export interface FeatureRow {
  pid: string;
  raw: number[];
  label?: number;
}

const days = (at: RawBuilder<unknown>, t: Date) =>
  sql`least(${LOOKBACK_DAYS}::float8, coalesce(extract(epoch from (${t}::timestamptz - ${at})) / 86400.0, ${LOOKBACK_DAYS}::float8))`;

/**
 * One query: the features of every profile in the target's population as of `t`, and (when
 * `labelUntil` is given) its label from [t, labelUntil). Events are scanned once over
 * [t − lookback, labelUntil ?? t), aggregated per identity and event name before the identity
 * join (as the rule compiler does), then per profile; linked CRM orders (via the customer or the
 * contact's customer) count as purchases. No per-profile queries: grouped scans only.
 */
export function featureSql(
  tenantId: string,
  cfgIn: PredictionConfig,
  t: Date,
  opts: { labelUntil?: Date; sample?: number; pids?: boolean } = {},
): RawBuilder<Record<string, unknown>> {
  const cfg = withDefaults(cfgIn);
  const from = new Date(+t - LOOKBACK_DAYS * DAY_MS);
  const until = opts.labelUntil ?? t;
  const ago = (d: number) => new Date(+t - d * DAY_MS);
  const buy = cfg.purchaseEvents!;
  const amount = sql`case when jsonb_typeof(e.properties -> 'total') = 'number' then (e.properties ->> 'total')::float8
    when jsonb_typeof(e.properties -> 'revenue') = 'number' then (e.properties ->> 'revenue')::float8
    when jsonb_typeof(e.properties -> 'value') = 'number' then (e.properties ->> 'value')::float8 else 0 end`;
  const win = (d: number) => sql`e.ts >= ${ago(d)} and e.ts < ${t}`;
  const lastActivity = sql`greatest(ev.last_ts, ord.last_order)`;
  const lastPurchase = sql`greatest(ev.last_buy, ord.last_order)`;
  const population =
    cfg.target === 'churn'
      ? sql`${lastActivity} >= ${ago(cfg.horizonDays)}`
      : sql`${lastPurchase} is not null`;
  const afterAny = sql`coalesce(ev.after_n, 0) + coalesce(ord.after_n, 0)`;
  const afterBuy = sql`coalesce(ev.after_buy, 0) + coalesce(ord.after_n, 0)`;
  const label =
    cfg.target === 'repurchase'
      ? sql`(${afterBuy} > 0)`
      : cfg.churnOn === 'purchase'
        ? sql`(${afterBuy} = 0)`
        : sql`(${afterAny} = 0)`;
  return sql`with per_event as (
      select e.ident_kind, e.ident, e.event,
        max(e.ts) filter (where e.ts < ${t}) as last_ts,
        min(e.ts) filter (where e.ts < ${t}) as first_ts,
        count(*) filter (where ${win(30)}) as n30,
        count(*) filter (where ${win(90)}) as n90,
        count(*) filter (where ${win(180)}) as n180,
        sum(${amount}) filter (where ${win(90)}) as v90,
        sum(${amount}) filter (where ${win(180)}) as v180,
        count(*) filter (where e.ts >= ${t}) as after_n
      from cdp_events e
      where e.tenant_id = ${tenantId} and e.ts >= ${from} and e.ts < ${until}
      group by e.ident_kind, e.ident, e.event),
    per_profile_event as (
      select i.profile_id as pid, a.event, max(a.last_ts) as last_ts, min(a.first_ts) as first_ts,
        sum(a.n30) as n30, sum(a.n90) as n90, sum(a.n180) as n180, sum(a.v90) as v90, sum(a.v180) as v180,
        sum(a.after_n) as after_n
      from per_event a
      join cdp_identities i on i.tenant_id = ${tenantId} and i.kind = a.ident_kind and i.namespace = '' and i.value = a.ident
      group by i.profile_id, a.event),
    ev as materialized (
      select pid, max(last_ts) as last_ts, min(first_ts) as first_ts,
        max(last_ts) filter (where event = any(${buy}::text[])) as last_buy,
        sum(n30) as n30, sum(n90) as n90,
        coalesce(sum(n90) filter (where event = any(${buy}::text[])), 0) as b90,
        coalesce(sum(n180) filter (where event = any(${buy}::text[])), 0) as b180,
        coalesce(sum(v90) filter (where event = any(${buy}::text[])), 0) as v90,
        coalesce(sum(v180) filter (where event = any(${buy}::text[])), 0) as v180,
        count(*) filter (where n30 > 0) as k30,
        sum(after_n) as after_n,
        coalesce(sum(after_n) filter (where event = any(${buy}::text[])), 0) as after_buy
      from per_profile_event group by pid),
    linked_orders as (
      select distinct l.profile_id as pid, o.id, coalesce(o.order_date::timestamptz, o.confirmed_at, o.created_at) as at,
        coalesce(o.amount_minor, 0) / 100.0 as amt
      from cdp_profile_links l
      left join contacts c on l.object = 'contact' and c.tenant_id = l.tenant_id and c.id = l.record_id and c.deleted_at is null
      join orders o on o.tenant_id = l.tenant_id
        and o.customer_id = (case when l.object = 'customer' then l.record_id else c.customer_id end)
      where l.tenant_id = ${tenantId} and l.object in ('customer', 'contact')
        and o.deleted_at is null and o.status not in ('draft', 'cancelled')),
    ord as materialized (
      select pid, max(at) filter (where at < ${t}) as last_order, min(at) filter (where at < ${t}) as first_order,
        count(*) filter (where at >= ${ago(90)} and at < ${t}) as o90,
        count(*) filter (where at >= ${ago(180)} and at < ${t}) as o180,
        coalesce(sum(amt) filter (where at >= ${ago(90)} and at < ${t}), 0) as ov90,
        coalesce(sum(amt) filter (where at >= ${ago(180)} and at < ${t}), 0) as ov180,
        count(*) filter (where at >= ${t}) as after_n
      from linked_orders where at >= ${from} and at < ${until} group by pid)
    select p.id as pid,
      ${days(lastActivity, t)} as days_since_event,
      ${days(lastPurchase, t)} as days_since_purchase,
      coalesce(ev.n30, 0)::float8 as events_30d,
      coalesce(ev.n90, 0)::float8 as events_90d,
      (coalesce(ev.b90, 0) + coalesce(ord.o90, 0))::float8 as purchases_90d,
      (coalesce(ev.b180, 0) + coalesce(ord.o180, 0))::float8 as purchases_180d,
      (coalesce(ev.v90, 0) + coalesce(ord.ov90, 0))::float8 as value_90d,
      (coalesce(ev.v180, 0) + coalesce(ord.ov180, 0))::float8 as value_180d,
      greatest(0, extract(epoch from (${t}::timestamptz - least(p.first_seen_at, ev.first_ts, ord.first_order))) / 86400.0)::float8 as tenure_days,
      coalesce(ev.k30, 0)::float8 as event_types_30d,
      (case when k.profile_id is null then 0 else 1 end)::float8 as marketing_withdrawn
      ${opts.labelUntil ? sql`, (case when ${label} then 1 else 0 end) as label` : sql``}
      ${opts.sample ? sql`, count(*) over () as population` : sql``}
    from cdp_profiles p
    left join ev on ev.pid = p.id
    left join ord on ord.pid = p.id
    left join cdp_consents k on k.tenant_id = p.tenant_id and k.profile_id = p.id and k.purpose = 'marketing'
      and not k.granted and k.at < ${t}
    where p.tenant_id = ${tenantId} and p.merged_into is null and ${population}
    ${opts.sample ? sql`order by hashtext(p.id::text), p.id limit ${opts.sample}` : sql``}`;
}

export const toRow = (r: Record<string, unknown>): FeatureRow => ({
  pid: r.pid as string,
  raw: FEATURE_KEYS.map((k) => Number(r[k] ?? 0)),
  label: r.label === undefined ? undefined : Number(r.label),
});

// ------------------------------------------------------------------ explanations

export type Band = 'high' | 'mid' | 'low';
export const bandOf = (p: number, b: PredictionConfig['bands']): Band =>
  p >= b.high ? 'high' : p >= b.mid ? 'mid' : 'low';

/** The reason stored on the subject tag (localised when read, see `explainReason`). */
export interface StoredReason {
  /** probability, band, top contributions [feature key, push on the log-odds, raw value] */
  p: number;
  b: Band;
  t: Target;
  c: [string, number, number][];
  h?: 1;
}
export const REASON_PREFIX = 'predicted:';

const BAND_WORDS: Record<Target, Record<Band, Label>> = {
  churn: {
    high: L('流失风险高', 'High churn risk'),
    mid: L('流失风险中', 'Medium churn risk'),
    low: L('流失风险低', 'Low churn risk'),
  },
  repurchase: {
    high: L('复购可能性高', 'High repurchase propensity'),
    mid: L('复购可能性中', 'Medium repurchase propensity'),
    low: L('复购可能性低', 'Low repurchase propensity'),
  },
};

const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;

/** "近 90 天无购买 (+0.80)" */
export function explainContribution(key: string, push: number, raw: number, locale: Locale): string {
  const f = FEATURES.find((x) => x.key === key);
  const words = f ? f.say(raw, locale) : key;
  return `${words} (${signed(push)})`;
}

/** The business-worded reason of a predicted tag in the reader's language. */
export function explainReason(reason: string, locale: Locale): string {
  if (!reason.startsWith(REASON_PREFIX)) return reason;
  let r: StoredReason;
  try {
    r = JSON.parse(reason.slice(REASON_PREFIX.length)) as StoredReason;
  } catch {
    return reason;
  }
  const head = BAND_WORDS[r.t]?.[r.b]?.[locale] ?? r.b;
  const pct = `${Math.round(r.p * 100)}%`;
  const parts = r.c.map(([k, push, raw]) => explainContribution(k, push, raw, locale));
  const method = r.h ? (locale === 'zh-CN' ? '（规则估算）' : ' (heuristic)') : '';
  return locale === 'zh-CN'
    ? `${head}（概率 ${pct}）${method}：${parts.join('；')}`
    : `${head} (${pct})${method}: ${parts.join('; ')}`;
}

/** Profile 360 output: predicted tags' reasons worded for the reader. */
export function explainProfileTags<T extends { tags: { kind: string; reason: string }[] }>(
  p: T,
  locale: Locale,
): T {
  for (const t of p.tags) if (t.kind === 'predicted') t.reason = explainReason(t.reason, locale);
  return p;
}

// ------------------------------------------------------------------ heuristic fallback

/**
 * Used when there is too little history to train (fewer than MIN_LABELLED labelled profiles or
 * one class only): fixed weights on the standardised features, signs from common retail sense
 * (recent, frequent, broad activity and recent purchases keep customers). Scores rank
 * profiles; they are not calibrated probabilities.
 */
export const HEURISTIC_WEIGHTS: Record<Target, Record<string, number>> = {
  churn: {
    days_since_event: 1.0,
    days_since_purchase: 0.4,
    events_30d: -0.8,
    events_90d: -0.3,
    purchases_90d: -0.4,
    purchases_180d: -0.2,
    value_90d: 0,
    value_180d: 0,
    tenure_days: -0.2,
    event_types_30d: -0.3,
    marketing_withdrawn: 0.2,
  },
  repurchase: {
    days_since_event: -0.5,
    days_since_purchase: -1.0,
    events_30d: 0.4,
    events_90d: 0.3,
    purchases_90d: 0.6,
    purchases_180d: 0.6,
    value_90d: 0.2,
    value_180d: 0.2,
    tenure_days: 0.2,
    event_types_30d: 0.2,
    marketing_withdrawn: -0.1,
  },
};

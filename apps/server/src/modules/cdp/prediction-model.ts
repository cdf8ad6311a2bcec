import { auc, contributions, predict, train } from '../../core/math/logistic.ts';
import {
  FEATURE_KEYS,
  FEATURES,
  type FeatureRow,
  HEURISTIC_WEIGHTS,
  type Target,
  transform,
} from './prediction-features.ts';

/**
 * Fitting a predicted tag's model: the leads module's logistic regression
 * (docs/decisions/0012-lead-scoring-model.md) over standardised, log-scaled features, with a
 * 20 % hold-out for the model card and a documented heuristic when history is too thin.
 */
export const MIN_LABELLED = 200;
/**
 * Training reads at most this many labelled profiles (a deterministic hash sample): fitting is
 * synchronous (~2.7 s for the two fits of 10,000 rows on the shared box), and the hold-out stays
 * 2,000 strong.
 */
export const MAX_TRAIN = 10_000;

export interface PredictionModel {
  features: string[];
  /** x = (transform(raw) − center) / scale */
  center: number[];
  scale: number[];
  weights: number[];
  /** Includes the prior correction back to the observed base rate (see `fitPrediction`). */
  bias: number;
  /** Standardised training means: a contribution is measured against the average profile. */
  means: number[];
}

export interface FitResult {
  method: 'model' | 'heuristic';
  fallbackReason: 'too_few' | 'one_class' | null;
  model: PredictionModel;
  metrics: {
    auc: number | null;
    accuracy: number | null;
    baseRate: number | null;
    labelled: number;
    trainSize: number;
    holdoutSize: number;
  };
}

const logit = (p: number) => Math.log(p / (1 - p));
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

export function transformed(raw: number[]): number[] {
  return FEATURES.map((f, j) => transform(f, raw[j] ?? 0));
}

/** Mean and spread of each transformed feature (spread 1 when constant, so it stays finite). */
export function standardiser(xs: number[][]): { center: number[]; scale: number[] } {
  const d = FEATURES.length;
  const center = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(1);
  if (!xs.length) return { center, scale };
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (const x of xs) s += x[j]!;
    const m = s / xs.length;
    let v = 0;
    for (const x of xs) v += (x[j]! - m) ** 2;
    const sd = Math.sqrt(v / xs.length);
    center[j] = m;
    scale[j] = sd > 1e-9 ? sd : 1;
  }
  return { center, scale };
}

export const standardise = (x: number[], st: { center: number[]; scale: number[] }) =>
  x.map((v, j) => (v - st.center[j]!) / st.scale[j]!);

export function probability(m: PredictionModel, raw: number[]): number {
  const z = standardise(transformed(raw), m);
  return predict({ features: m.features, weights: m.weights, bias: m.bias, means: m.means }, z);
}

/** Top pushes on the log-odds for one profile, largest first. */
export function topContributions(m: PredictionModel, raw: number[], k = 3) {
  const z = standardise(transformed(raw), m);
  return contributions({ features: m.features, weights: m.weights, bias: m.bias, means: m.means }, z)
    .map((c, j) => ({ ...c, raw: raw[j]! }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, k);
}

export function heuristicModel(
  target: Target,
  stats: { center: number[]; scale: number[] },
  baseRate: number | null,
): PredictionModel {
  const w = HEURISTIC_WEIGHTS[target];
  return {
    features: FEATURE_KEYS,
    center: stats.center,
    scale: stats.scale,
    weights: FEATURE_KEYS.map((k) => w[k] ?? 0),
    bias: logit(clamp(baseRate ?? 0.3, 0.02, 0.98)),
    means: FEATURE_KEYS.map(() => 0),
  };
}

/**
 * Trains on labelled rows (hash-ordered, so every fifth is a fair hold-out): fit on 80 %,
 * report AUC and accuracy on the other 20 %, then refit on all rows for scoring. The
 * regression balances the classes, which shifts its probabilities towards 50 %; adding
 * logit(base rate) to the bias (the prior correction) brings them back to the tenant's rate,
 * so a "high" band means a high probability, not merely a high rank.
 */
export function fitPrediction(
  target: Target,
  rows: FeatureRow[],
  opts: { labelled?: number; heuristicStats?: { center: number[]; scale: number[] } } = {},
): FitResult {
  const labelled = opts.labelled ?? rows.length;
  const ys: number[] = rows.map((r) => (r.label ? 1 : 0));
  const pos = ys.reduce((s: number, y) => s + y, 0);
  const baseRate = rows.length ? pos / rows.length : null;
  const tooFew = rows.length < MIN_LABELLED;
  if (tooFew || pos === 0 || pos === rows.length) {
    const stats = opts.heuristicStats ?? standardiser(rows.map((r) => transformed(r.raw)));
    return {
      method: 'heuristic',
      fallbackReason: tooFew ? 'too_few' : 'one_class',
      model: heuristicModel(target, stats, baseRate),
      metrics: { auc: null, accuracy: null, baseRate, labelled, trainSize: rows.length, holdoutSize: 0 },
    };
  }
  const xsRaw = rows.map((r) => transformed(r.raw));
  const fitOn = (idx: number[]) => {
    const st = standardiser(idx.map((i) => xsRaw[i]!));
    const xs = idx.map((i) => standardise(xsRaw[i]!, st));
    const y = idx.map((i) => ys[i]!);
    const rate = y.reduce((s, v) => s + v, 0) / y.length;
    const lm = train(FEATURE_KEYS, xs, y, { iterations: 1000, l2: 0.02 });
    const m: PredictionModel = {
      features: FEATURE_KEYS,
      center: st.center,
      scale: st.scale,
      weights: lm.weights,
      bias: lm.bias + logit(clamp(rate, 0.001, 0.999)),
      means: lm.means,
    };
    return m;
  };
  const all = rows.map((_, i) => i);
  const hold = all.filter((i) => i % 5 === 4);
  const fit = all.filter((i) => i % 5 !== 4);
  let holdAuc: number | null = null;
  let accuracy: number | null = null;
  const holdYs = hold.map((i) => ys[i]!);
  if (hold.length && fit.some((i) => ys[i]) && fit.some((i) => !ys[i])) {
    const m = fitOn(fit);
    const ps = hold.map((i) => probability(m, rows[i]!.raw));
    holdAuc = auc(ps, holdYs);
    accuracy = ps.filter((p, k) => (p >= 0.5 ? 1 : 0) === holdYs[k]).length / hold.length;
  }
  return {
    method: 'model',
    fallbackReason: null,
    model: fitOn(all),
    metrics: {
      auc: holdAuc,
      accuracy,
      baseRate,
      labelled,
      trainSize: fit.length,
      holdoutSize: hold.length,
    },
  };
}

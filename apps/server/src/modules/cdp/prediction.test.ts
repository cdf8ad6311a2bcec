import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bandOf,
  explainReason,
  FEATURE_KEYS,
  type FeatureRow,
  REASON_PREFIX,
  type StoredReason,
  withDefaults,
} from './prediction-features.ts';
import { fitPrediction, MIN_LABELLED, probability, topContributions } from './prediction-model.ts';

/** A tiny seeded generator: the same rows on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Churners' activity fades: few recent events, long since the last one. */
function rows(n: number, seed = 7): FeatureRow[] {
  const r = rng(seed);
  const out: FeatureRow[] = [];
  for (let i = 0; i < n; i++) {
    const engaged = r();
    const churn = r() < 1 / (1 + Math.exp(-(2.5 - 6 * engaged))) ? 1 : 0;
    const e30 = Math.round(engaged * 12 * r() + (churn ? 0 : 2));
    const raw = FEATURE_KEYS.map(() => 0);
    raw[FEATURE_KEYS.indexOf('days_since_event')] = churn ? 20 + r() * 60 : r() * 25;
    raw[FEATURE_KEYS.indexOf('days_since_purchase')] = 30 + r() * 300;
    raw[FEATURE_KEYS.indexOf('events_30d')] = e30;
    raw[FEATURE_KEYS.indexOf('events_90d')] = e30 + Math.round(r() * 10);
    raw[FEATURE_KEYS.indexOf('tenure_days')] = 90 + r() * 300;
    raw[FEATURE_KEYS.indexOf('event_types_30d')] = Math.min(e30, 1 + Math.round(r() * 3));
    out.push({ pid: `p${i}`, raw, label: churn });
  }
  return out;
}

describe('predicted tags: model', () => {
  it('learns a fading-activity churn pattern and ranks held-out churners higher (AUC > 0.7)', () => {
    const data = rows(2000);
    const fit = fitPrediction('churn', data);
    assert.equal(fit.method, 'model');
    assert.ok(fit.metrics.auc! > 0.7, `holdout AUC ${fit.metrics.auc}`);
    assert.equal(fit.metrics.holdoutSize, 400);
    assert.equal(fit.metrics.trainSize, 1600);
    const w = (k: string) => fit.model.weights[FEATURE_KEYS.indexOf(k)]!;
    assert.ok(w('days_since_event') > 0, 'long silence pushes towards churn');
    assert.ok(w('events_30d') < 0, 'recent events push away from churn');
    // Prior correction: the mean predicted probability sits near the observed base rate.
    const mean = data.reduce((s, x) => s + probability(fit.model, x.raw), 0) / data.length;
    assert.ok(
      Math.abs(mean - fit.metrics.baseRate!) < 0.1,
      `mean p ${mean} vs base rate ${fit.metrics.baseRate}`,
    );
  });

  it('explains a score by its three largest pushes', () => {
    const fit = fitPrediction('churn', rows(1000));
    const silent = FEATURE_KEYS.map(() => 0);
    silent[FEATURE_KEYS.indexOf('days_since_event')] = 80;
    const top = topContributions(fit.model, silent);
    assert.equal(top.length, 3);
    assert.ok(Math.abs(top[0]!.value) >= Math.abs(top[2]!.value));
  });

  it('falls back to the documented heuristic with too little history or one class', () => {
    const tiny = fitPrediction('churn', rows(MIN_LABELLED - 1));
    assert.equal(tiny.method, 'heuristic');
    assert.equal(tiny.fallbackReason, 'too_few');
    assert.equal(tiny.metrics.auc, null);
    const oneClass = fitPrediction(
      'repurchase',
      rows(400).map((r) => ({ ...r, label: 0 })),
    );
    assert.equal(oneClass.method, 'heuristic');
    assert.equal(oneClass.fallbackReason, 'one_class');
    // The heuristic still ranks a silent profile above a busy one for churn.
    const silent = FEATURE_KEYS.map(() => 0);
    silent[0] = 300;
    const busy = FEATURE_KEYS.map(() => 0);
    busy[FEATURE_KEYS.indexOf('events_30d')] = 30;
    busy[FEATURE_KEYS.indexOf('event_types_30d')] = 5;
    assert.ok(probability(tiny.model, silent) > probability(tiny.model, busy));
  });
});

describe('predicted tags: explanations and bands', () => {
  const reason = (r: StoredReason) => REASON_PREFIX + JSON.stringify(r);
  it('words a stored reason in zh-CN and en-US', () => {
    const stored = reason({
      p: 0.83,
      b: 'high',
      t: 'churn',
      c: [
        ['purchases_90d', 0.8, 0],
        ['events_30d', -0.5, 12],
        ['days_since_event', 0.31, 365],
      ],
    });
    const zh = explainReason(stored, 'zh-CN');
    assert.equal(
      zh,
      '流失风险高（概率 83%）：近 90 天无购买 (+0.80)；近 30 天行为 12 次 (−0.50)；近 365 天无任何行为 (+0.31)',
    );
    const en = explainReason(stored, 'en-US');
    assert.equal(
      en,
      'High churn risk (83%): no purchase in the last 90 days (+0.80); 12 events in the last 30 days (−0.50); no activity in 365 days (+0.31)',
    );
    const h = explainReason(
      reason({ p: 0.2, b: 'low', t: 'repurchase', c: [['value_180d', 0.2, 1234.5]], h: 1 }),
      'en-US',
    );
    assert.equal(h, 'Low repurchase propensity (20%) (heuristic): ¥1,235 spent in the last 180 days (+0.20)');
    assert.equal(explainReason('rule:attribute', 'en-US'), 'rule:attribute', 'other reasons pass through');
  });

  it('bands by the configured thresholds', () => {
    const cfg = withDefaults({ target: 'churn' });
    assert.deepEqual(cfg.bands, { high: 0.7, mid: 0.4 });
    assert.equal(bandOf(0.7, cfg.bands), 'high');
    assert.equal(bandOf(0.69, cfg.bands), 'mid');
    assert.equal(bandOf(0.1, { high: 0.5, mid: 0.2 }), 'low');
  });
});

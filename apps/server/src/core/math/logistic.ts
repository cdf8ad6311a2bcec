/**
 * Binary logistic regression by full-batch gradient descent with L2 regularisation
 * (docs/decisions/0012-lead-scoring-model.md). A tenant has at most tens of thousands of
 * labelled leads and a dozen features: plain arrays train in milliseconds, and the model
 * (weights, bias, feature means) is small enough to store as JSON and explain per lead.
 */
export interface LogisticModel {
  features: string[];
  weights: number[];
  bias: number;
  /** Feature means of the training set: contributions are measured against the average lead. */
  means: number[];
}

export interface TrainOptions {
  iterations?: number;
  learningRate?: number;
  l2?: number;
}

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function train(
  features: string[],
  xs: number[][],
  ys: number[],
  opts: TrainOptions = {},
): LogisticModel {
  const n = xs.length;
  const d = features.length;
  const iterations = opts.iterations ?? 2000;
  const lr = opts.learningRate ?? 0.5;
  const l2 = opts.l2 ?? 0.01;
  const w = new Array<number>(d).fill(0);
  let b = 0;
  // Balanced class weights: a tenant converting 5 % of its leads still learns the 5 %.
  const pos = ys.reduce((s, y) => s + y, 0);
  const wPos = pos > 0 ? n / (2 * pos) : 1;
  const wNeg = n - pos > 0 ? n / (2 * (n - pos)) : 1;
  const grad = new Array<number>(d);
  for (let it = 0; it < iterations; it++) {
    grad.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const x = xs[i]!;
      let z = b;
      for (let j = 0; j < d; j++) z += w[j]! * x[j]!;
      const y = ys[i]!;
      const err = (sigmoid(z) - y) * (y === 1 ? wPos : wNeg);
      for (let j = 0; j < d; j++) grad[j]! += err * x[j]!;
      gb += err;
    }
    for (let j = 0; j < d; j++) w[j]! -= lr * (grad[j]! / n + l2 * w[j]!);
    b -= (lr * gb) / n;
  }
  const means = features.map((_, j) => (n ? xs.reduce((s, x) => s + x[j]!, 0) / n : 0));
  return { features, weights: w, bias: b, means };
}

export function predict(m: LogisticModel, x: number[]): number {
  let z = m.bias;
  for (let j = 0; j < m.weights.length; j++) z += m.weights[j]! * (x[j] ?? 0);
  return sigmoid(z);
}

/** Per-feature push on the log-odds relative to the average training lead. */
export function contributions(m: LogisticModel, x: number[]): { feature: string; value: number }[] {
  return m.features.map((feature, j) => ({ feature, value: m.weights[j]! * ((x[j] ?? 0) - m.means[j]!) }));
}

/** Area under the ROC curve (rank statistic; ties count half). */
export function auc(scores: number[], ys: number[]): number {
  const pairs = scores.map((s, i) => ({ s, y: ys[i]! })).sort((a, b) => a.s - b.s);
  let rank = 0;
  let sumPos = 0;
  let nPos = 0;
  for (let i = 0; i < pairs.length; ) {
    let j = i;
    while (j < pairs.length && pairs[j]!.s === pairs[i]!.s) j++;
    const avg = (rank + 1 + rank + (j - i)) / 2;
    for (let k = i; k < j; k++)
      if (pairs[k]!.y === 1) {
        sumPos += avg;
        nPos++;
      }
    rank += j - i;
    i = j;
  }
  const nNeg = pairs.length - nPos;
  if (nPos === 0 || nNeg === 0) return 0.5;
  return (sumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auc, contributions, predict, train } from './logistic.ts';

describe('logistic regression', () => {
  it('learns a separable rule, explains it by the feature that carries it, and ranks perfectly', () => {
    const xs: number[][] = [];
    const ys: number[] = [];
    for (let i = 0; i < 200; i++) {
      const signal = i % 2;
      xs.push([signal, ((i * 7919) % 13) / 13]);
      ys.push(signal);
    }
    const m = train(['signal', 'noise'], xs, ys);
    assert.ok(predict(m, [1, 0.5]) > 0.9);
    assert.ok(predict(m, [0, 0.5]) < 0.1);
    const top = contributions(m, [1, 0.5]).sort((a, b) => Math.abs(b.value) - Math.abs(a.value))[0]!;
    assert.equal(top.feature, 'signal');
    assert.equal(
      auc(
        xs.map((x) => predict(m, x)),
        ys,
      ),
      1,
    );
  });

  it('computes AUC with ties counted half', () => {
    assert.equal(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.75);
    assert.equal(auc([0.5, 0.5], [0, 1]), 0.5);
  });
});

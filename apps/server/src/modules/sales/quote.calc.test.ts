import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { divHalfUp, lineAmounts, quoteTotals, tierPrice } from './quote.calc.ts';

describe('quote arithmetic', () => {
  it('rounds half up per line in fen', () => {
    // 1.5 × 67 fen = 100.5 → 101
    assert.deepEqual(
      lineAmounts({ quantity: 1.5, unitPrice: 67, listUnitPrice: 67, discountPercent: 0, taxRate: 0 }).gross,
      101,
    );
    // 10% of 1005 fen = 100.5 → 101 discount; net 904; 13% tax = 117.52 → 118
    const l = lineAmounts({
      quantity: 1,
      unitPrice: 1005,
      listUnitPrice: 1005,
      discountPercent: 10,
      taxRate: 13,
    });
    assert.deepEqual(l, { gross: 1005, discount: 101, net: 904, tax: 118, total: 1022, list: 1005 });
    assert.equal(divHalfUp(5n, 10n), 1n);
    assert.equal(divHalfUp(4n, 10n), 0n);
    assert.equal(divHalfUp(15n, 10n), 2n);
  });

  it('sums rounded lines so header totals equal the sum of line totals', () => {
    const lines = [
      lineAmounts({ quantity: 3, unitPrice: 3333, listUnitPrice: 3333, discountPercent: 12.5, taxRate: 13 }),
      lineAmounts({ quantity: 0.3333, unitPrice: 100, listUnitPrice: 100, discountPercent: 0, taxRate: 6 }),
    ];
    const t = quoteTotals(lines);
    assert.equal(
      t.total,
      lines.reduce((s, l) => s + l.total, 0),
    );
    assert.equal(t.subtotal - t.discountTotal + t.taxTotal, t.total);
  });

  it('counts a price override below the tier price as discount', () => {
    const l = lineAmounts({
      quantity: 10,
      unitPrice: 8000,
      listUnitPrice: 10000,
      discountPercent: 0,
      taxRate: 0,
    });
    assert.equal(quoteTotals([l]).discountPercent, 20);
    const m = lineAmounts({
      quantity: 10,
      unitPrice: 10000,
      listUnitPrice: 10000,
      discountPercent: 16,
      taxRate: 13,
    });
    assert.equal(quoteTotals([m]).discountPercent, 16);
  });

  it('picks the highest tier the quantity reaches', () => {
    const tiers = [
      { minQty: 1, unitPrice: 1000 },
      { minQty: 10, unitPrice: 900 },
      { minQty: 100, unitPrice: 800 },
    ];
    assert.equal(tierPrice(tiers, 0.5), null);
    assert.equal(tierPrice(tiers, 9), 1000);
    assert.equal(tierPrice(tiers, 10), 900);
    assert.equal(tierPrice(tiers, 500), 800);
  });

  it('rejects quantities with more than 4 decimals', () => {
    assert.throws(() =>
      lineAmounts({ quantity: 1.00001, unitPrice: 1, listUnitPrice: 1, discountPercent: 0, taxRate: 0 }),
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { translator } from '../../testing/translate.ts';
import type { Rule } from './cdp-api';
import { en, zh } from './messages.ts';
import { cleanRule, matches, parseScalar, ruleText, ruleWords, withOp } from './rule-model.ts';

const tZh = translator({ cdp: zh });
const tEn = translator({ cdp: en });

describe('ruleText: a rule as one line a marketer reads', () => {
  it('reads a trait comparison and an existence test', () => {
    assert.equal(ruleText({ trait: 'city', op: 'eq', value: '上海' }, tZh), 'city 等于 上海');
    assert.equal(ruleText({ trait: 'email', op: 'exists' }, tEn), 'email is set');
    assert.equal(ruleText({ trait: 'city', op: 'eq', value: ['上海', '北京'] }, tZh), 'city 等于 上海/北京');
  });

  it('reads relative dates with their number of days, not a value', () => {
    assert.equal(
      ruleText({ trait: 'lastOrderAt', op: 'withinLast', days: 30 }, tEn),
      'lastOrderAt is within the last 30 days',
    );
    assert.equal(ruleText({ trait: 'birthday', op: 'withinNext', days: 7 }, tZh), 'birthday 在未来 7 天内');
  });

  it('reads tags by their name, and a tag value comparison', () => {
    const names = (k: string) => ({ vip: '高价值客户' })[k] ?? k;
    assert.equal(ruleText({ tag: 'vip' }, tZh, names), '拥有 高价值客户');
    assert.equal(ruleText({ tag: 'vip', op: 'notHas' }, tEn, names), 'has not 高价值客户');
    assert.equal(ruleText({ tag: 'score', op: 'gte', value: 80 }, tEn), 'score ≥ 80');
  });

  it('reads event counts and sums over a window, with their property filters', () => {
    const count: Rule = {
      event: 'Order Completed',
      withinDays: 30,
      op: 'gte',
      value: 2,
      where: [{ prop: 'channel', op: 'eq', value: 'app' }],
    };
    assert.equal(ruleText(count, tEn), 'Order Completed (channel equals app) in 30 days: count ≥ 2');
    const sum: Rule = {
      event: 'Order Completed',
      withinDays: 90,
      agg: 'sum',
      property: 'revenue',
      op: 'gt',
      value: 1000,
    };
    assert.equal(ruleText(sum, tZh), '近 90 天 Order Completed revenue 之和 大于 1000');
  });

  it('reads CRM conditions on the contact or customer', () => {
    assert.equal(
      ruleText({ crm: 'customer', field: 'level', op: 'eq', value: 'A' }, tEn),
      'Customer.level equals A',
    );
  });

  it('brackets nested groups so and/or read unambiguously', () => {
    const rule: Rule = {
      and: [
        { trait: 'city', op: 'eq', value: '上海' },
        { or: [{ tag: 'vip' }, { trait: 'orders', op: 'gt', value: 3 }] },
      ],
    };
    assert.equal(ruleText(rule, tEn), 'city equals 上海 and (has vip or orders > 3)');
    assert.equal(ruleText({ not: { tag: 'churned' } }, tZh), '非 (拥有 churned)');
  });
});

describe('rule model', () => {
  it('parses typed values: numbers and booleans compare as such, the rest stays text', () => {
    assert.equal(parseScalar('42'), 42);
    assert.equal(parseScalar('4.5'), 4.5);
    assert.equal(parseScalar('true'), true);
    assert.equal(parseScalar('false'), false);
    assert.equal(parseScalar(' '), ' ');
    assert.equal(parseScalar('138'), 138);
    assert.equal(parseScalar('上海'), '上海');
  });

  it('swaps value for days when an operator becomes a relative date, and back', () => {
    const rule = { trait: 'lastOrderAt', op: 'eq', value: '2026-01-01' };
    const relative = withOp(rule, 'withinLast');
    assert.deepEqual(relative, { trait: 'lastOrderAt', op: 'withinLast', days: 30 });
    assert.deepEqual(withOp(relative, 'eq'), { trait: 'lastOrderAt', op: 'eq', value: '' });
    assert.deepEqual(withOp({ trait: 'email', op: 'eq', value: 'a@b.cn' }, 'exists'), {
      trait: 'email',
      op: 'exists',
    });
  });

  it('cleans a rule being edited: half-typed event filters dropped, days or value never both', () => {
    const rule: Rule = {
      and: [
        {
          event: 'Page Viewed',
          withinDays: 7,
          op: 'gte',
          value: 1,
          where: [{ prop: '  ', op: 'eq', value: 'x' }],
        },
        { trait: 'lastOrderAt', op: 'withinLast', days: 14, value: 'stale' },
        { crm: 'contact', field: 'name', op: 'contains', value: '王', days: 3 },
        { not: { trait: 'plan', op: 'exists' } },
      ],
    };
    assert.deepEqual(cleanRule(rule), {
      and: [
        { event: 'Page Viewed', withinDays: 7, op: 'gte', value: 1 },
        { trait: 'lastOrderAt', op: 'withinLast', days: 14 },
        { crm: 'contact', field: 'name', op: 'contains', value: '王' },
        { not: { trait: 'plan', op: 'exists' } },
      ],
    });
  });

  it('matches autocomplete options case-insensitively anywhere in the value', () => {
    assert.equal(matches('order', { value: 'Order Completed' }), true);
    assert.equal(matches('xyz', { value: 'Order Completed' }), false);
    assert.equal(matches('a', undefined), false);
  });
});

describe('ruleWords: a segment’s rule in the words of its page', () => {
  const names = {
    event: (n: string) => ({ 'Product Viewed': '浏览商品', 'Order Completed': '完成订单' })[n] ?? n,
    prop: (_e: string | null, k: string) => ({ revenue: '金额', sku: 'SKU 编码' })[k] ?? k,
    tag: (k: string) => ({ vip: '高价值客户' })[k] ?? k,
  };
  it('reads event counts and traits with display names and symbols', () => {
    const rule: Rule = {
      and: [
        { event: 'Product Viewed', withinDays: 30, op: 'gte', value: 3 },
        { trait: 'city', op: 'eq', value: '深圳' },
      ],
    };
    assert.equal(ruleWords(rule, tZh, names), '近 30 天 浏览商品 ≥ 3 次 且 城市 = 深圳');
    assert.equal(
      ruleWords(rule, tEn, { ...names, event: () => 'Viewed a product' }),
      'Viewed a product ≥ 3 times in the last 30 days and City = 深圳',
    );
  });
  it('reads sums, property filters and tags', () => {
    const sum: Rule = {
      event: 'Order Completed',
      agg: 'sum',
      property: 'revenue',
      where: [{ prop: 'sku', op: 'eq', value: 'P1' }],
      withinDays: 90,
      op: 'gte',
      value: 2000,
    };
    assert.equal(ruleWords(sum, tZh, names), '近 90 天 完成订单（SKU 编码 = P1）的金额合计 ≥ 2000');
    assert.equal(ruleWords({ tag: 'vip' }, tZh, names), '有标签「高价值客户」');
    assert.equal(ruleWords({ tag: 'vip', op: 'notHas' }, tEn, names), 'does not have the tag “高价值客户”');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { money, rmbInWords } from './quote-pdf.ts';
import { newShareToken, tenantOfShareToken } from './quote-share-token.ts';
import { addDays, isExpired } from './quote-validity.ts';

describe('quote document helpers', () => {
  it('writes a CNY amount in capital numerals as Chinese invoices do', () => {
    assert.equal(rmbInWords(1_070_000), '壹万零柒佰元整');
    assert.equal(rmbInWords(1_095_764), '壹万零玖佰伍拾柒元陆角肆分');
    assert.equal(rmbInWords(10_000_000_000), '壹亿元整');
    assert.equal(rmbInWords(100_050_000), '壹佰万零伍佰元整');
    assert.equal(rmbInWords(5), '伍分');
    assert.equal(rmbInWords(1_005), '壹拾元零伍分');
    assert.equal(rmbInWords(0), '零元整');
  });

  it('formats money with a ¥ sign and thousands separators', () => {
    assert.equal(money(1_095_764), '¥10,957.64');
    assert.equal(money(-100, 'USD'), '-USD 1.00');
  });

  it('expires an open quote after its last valid day, never a contract or a replaced revision', () => {
    assert.equal(isExpired({ status: 'approved', validUntil: '2026-12-05' }, '2026-12-06'), true);
    assert.equal(isExpired({ status: 'approved', validUntil: '2026-12-06' }, '2026-12-06'), false);
    assert.equal(isExpired({ status: 'accepted', validUntil: '2026-01-01' }, '2026-12-06'), false);
    assert.equal(isExpired({ status: 'superseded', validUntil: '2026-01-01' }, '2026-12-06'), false);
    assert.equal(isExpired({ status: 'draft', validUntil: null }, '2026-12-06'), false);
    assert.equal(addDays('2026-12-20', 30), '2027-01-19');
  });

  it('carries the tenant in a share token and refuses anything malformed', () => {
    const tenant = '0193a5c2-7b1e-7c3d-8e4f-5a6b7c8d9e0f';
    const token = newShareToken(tenant);
    assert.match(token, /^[A-Za-z0-9_-]{54}$/);
    assert.equal(tenantOfShareToken(token), tenant);
    assert.notEqual(newShareToken(tenant), token, 'random part');
    for (const bad of ['', 'x', `${token}x`, token.replace(/.$/, '!'), '../../etc/passwd'])
      assert.equal(tenantOfShareToken(bad), null, bad);
  });
});

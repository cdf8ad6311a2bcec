import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiNameFromLabel, optionCodes, uniqueName } from './api-names.ts';

describe('API names from labels', () => {
  it('spells a Chinese label in pinyin words', () => {
    assert.equal(apiNameFromLabel('来源渠道'), 'laiyuan_qudao');
    assert.equal(apiNameFromLabel('客户等级'), 'kehu_dengji');
    assert.equal(apiNameFromLabel('微信号'), 'weixinhao');
    assert.equal(apiNameFromLabel('是否VIP客户'), 'shifou_vip_kehu');
    assert.equal(apiNameFromLabel('年收入(万元)'), 'nianshouru_wanyuan');
  });
  it('keeps English labels readable and always starts with a letter', () => {
    assert.equal(apiNameFromLabel('Lead Source'), 'lead_source');
    assert.equal(apiNameFromLabel('2026 目标'), 'f_2026_mubiao');
    assert.equal(apiNameFromLabel('——'), 'field');
    assert.match(apiNameFromLabel('很长很长的字段名称'.repeat(6)), /^[a-z][a-z0-9_]{1,36}$/);
  });
  it('numbers a name that is taken and codes options uniquely', () => {
    assert.equal(
      uniqueName('a', (n) => ['a', 'a_2'].includes(n)),
      'a_3',
    );
    assert.deepEqual(optionCodes(['线上', '线下', '线上']), ['xianshang', 'xianxia', 'xianshang_2']);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { indexText, tokens } from './words.ts';

describe('script tokens (jieba)', () => {
  it('splits Chinese into words, long words also into their parts, without particles or punctuation', () => {
    assert.deepEqual(tokens('价格太贵了！'), ['价格', '太贵']);
    assert.ok(tokens('异议处理').includes('异议'));
    assert.ok(tokens('异议处理').includes('处理'));
    assert.deepEqual(tokens('SUV 试驾'), ['suv', '试驾']);
    assert.deepEqual(tokens('的了吗，。'), []);
  });

  it('weighs the title twice in the index text', () => {
    assert.equal(indexText('促单', '限时优惠'), '促单 促单 限时 优惠');
  });
});

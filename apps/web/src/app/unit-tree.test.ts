import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildUnitTree } from './unit-tree.ts';

describe('unit tree', () => {
  it('nests units under their parents in list order; a unit whose parent is not listed is a root', () => {
    const tree = buildUnitTree([
      { id: 'hq', name: '总部', parentId: null },
      { id: 'east', name: '华东大区', parentId: 'hq' },
      { id: 'sh', name: '上海经销商', parentId: 'east' },
      { id: 'north', name: '华北大区', parentId: 'hq' },
      // Only part of the tree is visible to a dealer manager: their dealer is their root.
      { id: 'bj', name: '北京经销商', parentId: 'not-visible' },
    ]);
    const shape = (nodes: typeof tree): unknown => nodes.map((n) => [n.title, shape(n.children)]);
    assert.deepEqual(shape(tree), [
      [
        '总部',
        [
          ['华东大区', [['上海经销商', []]]],
          ['华北大区', []],
        ],
      ],
      ['北京经销商', []],
    ]);
    assert.equal(tree[0]!.value, 'hq');
    assert.equal(tree[0]!.key, 'hq');
  });

  it('gives no roots for no units', () => {
    assert.deepEqual(buildUnitTree([]), []);
  });
});

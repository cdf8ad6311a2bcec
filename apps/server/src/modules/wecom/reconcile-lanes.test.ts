import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eachAtMost, runLanes, staffLanes } from './reconcile-lanes.ts';

const staff = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`);

describe('reconciliation lanes', () => {
  it('splits staff into at most the lanes asked for, each ≤ 100 userids, every userid once in order', () => {
    assert.deepEqual(staffLanes([]), []);
    assert.deepEqual(staffLanes(['a']), [['a']]);
    const fifty = staffLanes(staff(50), 4);
    assert.equal(fifty.length, 4);
    assert.deepEqual(fifty.flat(), staff(50));
    const many = staffLanes(staff(1001), 4);
    assert.equal(many.length, 11, 'more lanes when 4 would exceed 100 userids a call');
    assert.ok(many.every((l) => l.length <= 100));
    assert.deepEqual(many.flat(), staff(1001));
  });

  it('stops the other lanes after a failure and rethrows it', async () => {
    const pages: string[] = [];
    await assert.rejects(
      runLanes(['bad', 'good'], async (lane, stopped) => {
        for (let page = 0; page < 5 && !stopped(); page++) {
          await new Promise((r) => setImmediate(r));
          pages.push(`${lane}${page}`);
          if (lane === 'bad') throw new Error('45009 for good');
        }
      }),
      /45009/,
    );
    assert.ok(pages.filter((p) => p.startsWith('good')).length < 5, pages.join());
  });

  it('runs at most the limit at once and rethrows the first failure', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await eachAtMost([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setImmediate(r));
      running--;
      done.push(n);
    });
    assert.equal(most, 3);
    assert.deepEqual(done.sort(), [1, 2, 3, 4, 5, 6, 7]);
    await assert.rejects(
      eachAtMost([1, 2], 2, async (n) => {
        if (n === 2) throw new Error('two');
      }),
      /two/,
    );
  });
});

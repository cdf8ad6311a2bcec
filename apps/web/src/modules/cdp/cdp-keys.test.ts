import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cdpKeys } from './cdp-keys.ts';

/** react-query invalidates by prefix: a key refreshes every query whose key starts with it. */
const covers = (prefix: readonly unknown[], key: readonly unknown[]) =>
  prefix.every((part, i) => JSON.stringify(part) === JSON.stringify(key[i]));

describe('CDP query keys', () => {
  it('refreshes a segment’s history and members with the segment, not other segments', () => {
    const seg = cdpKeys.segments.detail('s1');
    assert.ok(covers(seg, cdpKeys.segments.history('s1')));
    assert.ok(covers(seg, cdpKeys.segments.members('s1')));
    assert.ok(!covers(seg, cdpKeys.segments.members('s2')));
    assert.ok(!covers(cdpKeys.segments.list(), seg));
  });

  it('refreshes a profile’s timeline and unmasked view with the profile', () => {
    const p = cdpKeys.profiles.detail('p1');
    assert.ok(covers(p, cdpKeys.profiles.timeline('p1', ['track', 'identify'])));
    assert.ok(covers(p, cdpKeys.profiles.unmasked('p1')));
  });

  it('refreshes a tag model’s runs with the model, and everything with the CDP', () => {
    assert.ok(covers(cdpKeys.tags.model('t1'), cdpKeys.tags.modelRun('t1', true)));
    for (const key of [
      cdpKeys.sources.list(),
      cdpKeys.tags.ofSubject('customer', 'c1'),
      cdpKeys.events.properties('Order Completed'),
      cdpKeys.merges.list({ status: 'done' }),
    ])
      assert.ok(covers(cdpKeys.all, key));
  });
});

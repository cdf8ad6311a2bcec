import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isUuid, newId } from './ids.ts';

describe('newId (UUIDv7)', () => {
  it('mints valid version-7, variant-10 uuids', () => {
    for (let i = 0; i < 1000; i++) {
      const id = newId();
      assert.ok(isUuid(id), id);
      assert.equal(id[14], '7');
      assert.match(id[19]!, /[89ab]/);
    }
  });

  it('keeps creation order and uniqueness for 100k ids minted in a burst', () => {
    const ids = Array.from({ length: 100_000 }, newId);
    assert.equal(new Set(ids).size, ids.length);
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} !< ${ids[i]}`);
  });

  it('encodes the current time in the first 48 bits', () => {
    const before = Date.now();
    const ms = Number.parseInt(newId().replaceAll('-', '').slice(0, 12), 16);
    assert.ok(ms >= before && ms <= Date.now() + 5);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leadsKeys } from './leads-keys.ts';

/** react-query invalidates by prefix: a key refreshes every query whose key starts with it. */
const covers = (prefix: readonly unknown[], key: readonly unknown[]) =>
  prefix.every((part, i) => JSON.stringify(part) === JSON.stringify(key[i]));

describe('Leads query keys', () => {
  it('refreshes inbox, pool, lead pages and settings after a claim or conversion', () => {
    for (const key of [
      leadsKeys.inbox(),
      leadsKeys.pool(),
      leadsKeys.lead.detail('l1'),
      leadsKeys.lead.assignments('l1'),
      leadsKeys.settings.rules(),
    ])
      assert.ok(covers(leadsKeys.all, key));
  });

  it('keeps one lead’s queries apart from another’s, and a settings list apart from the others', () => {
    assert.ok(!covers(leadsKeys.lead.detail('l1'), leadsKeys.lead.detail('l2')));
    assert.ok(!covers(leadsKeys.settings.rules(), leadsKeys.settings.channels()));
  });
});

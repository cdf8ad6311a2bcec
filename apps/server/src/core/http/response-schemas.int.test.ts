import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useTestEnv } from '../../testing/harness.ts';
import { routeTable } from './route.ts';

useTestEnv();

describe('route contract', () => {
  it('has every route declare its response schema (204 routes and file downloads send none)', () => {
    const missing = routeTable
      .filter((r) => !r.response && r.status !== 204 && !r.file)
      .map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(missing, [], `routes without a response schema:\n${missing.join('\n')}`);
  });
});

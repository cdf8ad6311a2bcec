import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { registerModules } from '../../app.ts';
import { testDatabaseUrl } from '../../testing/harness.ts';
import { generateSchemaTypes, SCHEMA_FILE } from './schema-types.ts';

// Generation needs a PostgreSQL server to create its scratch database on.
const server = process.env.KEHU_TEST_DB === 'pglite' ? undefined : testDatabaseUrl();

registerModules();

describe('generated database types', () => {
  it('schema.ts matches what the migrations create', { skip: !server && 'needs PostgreSQL' }, async () => {
    const fresh = join(mkdtempSync(join(tmpdir(), 'kehu-schema-')), 'schema.ts');
    writeFileSync(fresh, await generateSchemaTypes(server!));
    const want = readFileSync(fresh, 'utf8').split('\n');
    const have = readFileSync(SCHEMA_FILE, 'utf8').split('\n');
    const line = want.findIndex((l, i) => l !== have[i]);
    assert.ok(
      line === -1 && want.length === have.length,
      `${relative(process.cwd(), SCHEMA_FILE)} is stale from line ${line + 1} ` +
        `(have: ${JSON.stringify(have[line])}, want: ${JSON.stringify(want[line])}); ` +
        `run \`npm run db:types\` (fresh output: ${fresh})`,
    );
  });
});

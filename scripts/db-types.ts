// `npm run db:types`: regenerates apps/server/src/core/db/schema.ts from the migrations, on a
// scratch database of the PostgreSQL server in DATABASE_URL (default: the local one the tests use).
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { registerModules } from '../apps/server/src/app.ts';
import { generateSchemaTypes, SCHEMA_FILE } from '../apps/server/src/core/db/schema-types.ts';

// Every module's migrations, not only the kernel's.
registerModules();

const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
writeFileSync(SCHEMA_FILE, await generateSchemaTypes(server));
console.log(`wrote ${relative(process.cwd(), SCHEMA_FILE)}`);

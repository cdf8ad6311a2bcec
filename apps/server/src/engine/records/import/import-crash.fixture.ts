/**
 * Child process for the crash-safety test: runs one import job against DATABASE_URL until the
 * parent kills it with SIGKILL. Usage: node import-crash.fixture.ts <tenantId> <importId>
 */
import { registerModules } from '../../../app.ts';
import { openDatabase } from '../../../core/db/database.ts';
import { runImport } from './import.job.ts';

registerModules();
const [tenantId, importId] = process.argv.slice(2);
const database = await openDatabase({ url: process.env.DATABASE_URL, poolSize: 4 });
await runImport(database.db, tenantId!, importId!, { attempt: 1, heartbeat: async () => {} });
await database.close();

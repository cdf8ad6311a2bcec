// Test-only: runs one tenant's due background jobs until none is left, in a process of its own, so a
// durability test can kill -9 it in the middle of a job (usage: node tenant-worker.ts <tenantId>).
// Like a restarted server it first releases the leases of dead processes on this host. Like `kehu worker`
// it builds no HTTP app: the modules' `start` hooks alone must give the jobs what they need.
import { hostname } from 'node:os';
import { startModules } from '../app.ts';
import { loadConfig } from '../core/config.ts';
import { openDatabase } from '../core/db/database.ts';
import { releaseDeadLocalLeases, runOneJob } from '../core/jobs/queue.ts';

const tenantId = process.argv[2];
if (!tenantId) throw new Error('usage: tenant-worker.ts <tenantId>');
const config = loadConfig();
const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: 4 });
startModules(database);
await releaseDeadLocalLeases(database.db);
const quiet = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Parameters<typeof runOneJob>[3];
const signal = new AbortController().signal;
while (await runOneJob(database.db, `${hostname()}:${process.pid}`, signal, quiet, tenantId)) {
  /* next job */
}
await database.close();

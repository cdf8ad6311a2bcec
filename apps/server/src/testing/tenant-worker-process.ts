import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDatabaseUrl } from './harness.ts';

const worker = join(fileURLToPath(import.meta.url), '../tenant-worker.ts');

/**
 * One tenant's background jobs in a process of their own (tenant-worker.ts), on the test PostgreSQL:
 * the durability tests kill it -9 mid-job and start another.
 */
export const startTenantWorker = (tenantId: string): ChildProcess =>
  spawn(process.execPath, [worker, tenantId], {
    env: { ...process.env, DATABASE_URL: testDatabaseUrl(), LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });

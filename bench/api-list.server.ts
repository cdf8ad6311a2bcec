/**
 * One server for the API benchmark, in its own process so the load generator and the two
 * servers never share an event loop:
 *
 *   node bench/api-list.server.ts kehu --url URL --pool 20
 *   node bench/api-list.server.ts bare --url URL --pool 20 --tenant ID --units ID,ID,…
 *
 * `kehu` is the real API (createApp: auth, permissions, RLS transaction, record engine).
 * `bare` is the baseline: a bare Fastify route running the equivalent hand-written indexed
 * SELECT on a pg pool of the same size. Prints `{"port":N}` on stdout once listening.
 */
import Fastify from 'fastify';
import pg from 'pg';
import { args, int } from './lib.ts';

const [mode, ...rest] = process.argv.slice(2);
const opt = args({ url: { type: 'string' }, pool: { type: 'string', default: '20' }, tenant: { type: 'string' }, units: { type: 'string' } }, rest);
if (!opt.url) throw new Error('--url is required');
const poolSize = int(opt.pool, 'pool');

let close: () => Promise<void>;
let port: number;

if (mode === 'kehu') {
  const { createApp } = await import('../apps/server/src/app.ts');
  const { loadConfig } = await import('../apps/server/src/platform/config.ts');
  const { openDatabase } = await import('../apps/server/src/platform/db/database.ts');
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', DATABASE_URL: opt.url, DB_POOL_SIZE: String(poolSize), PORT: '0', HOST: '127.0.0.1' });
  const database = await openDatabase({ url: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE });
  const app = await createApp(config, database);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address();
  port = typeof a === 'object' && a ? a.port : 0;
  close = async () => {
    await app.close();
    await database.close();
  };
} else if (mode === 'bare') {
  if (!opt.tenant || !opt.units) throw new Error('bare needs --tenant and --units');
  const tenantId = opt.tenant;
  const units = opt.units.split(',');
  const pool = new pg.Pool({ connectionString: opt.url, max: poolSize });
  const app = Fastify({ logger: false });
  // The same WHERE and ORDER BY the record engine builds for this request (limit + 1 rows
  // to know whether there is a next page), without session, RLS transaction or mapping.
  const text = `select * from customers
    where tenant_id = $1 and deleted_at is null and region = $2 and unit_id = any($3::uuid[])
    order by id desc limit 51`;
  app.get<{ Querystring: { region: string } }>('/customers', async (req) => {
    const r = await pool.query(text, [tenantId, req.query.region, units]);
    return { items: r.rows.slice(0, 50), more: r.rows.length > 50 };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address();
  port = typeof a === 'object' && a ? a.port : 0;
  close = async () => {
    await app.close();
    await pool.end();
  };
} else {
  throw new Error(`mode must be kehu or bare, got ${mode}`);
}

process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = () => void close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);

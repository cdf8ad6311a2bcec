/**
 * One server for the API benchmark, in its own process so the load generator and the two
 * servers never share an event loop:
 *
 *   node bench/api-list.server.ts kehu --url URL --pool 20
 *   node bench/api-list.server.ts bare --url URL --pool 20 --tenant ID --units ID,ID,…
 *   node bench/api-list.server.ts bare-tx …   (same arguments as bare; see below)
 *
 * `kehu` is the real API (createApp: auth, permissions, RLS transaction, record engine).
 * `bare` is the baseline: a bare Fastify route running the equivalent hand-written indexed
 * SELECT on a pg pool of the same size. Prints `{"port":N}` on stdout once listening, and
 * on SIGTERM one more line `{"requests":N,"queries":N,"cpuMs":N,"listSql":{…}}`: the statements
 * sent to PostgreSQL per HTTP request (round trips), this process's CPU time since it was
 * listening (CPU per request is steadier than throughput on a shared machine), and the first
 * list statement with its
 * parameters, so the benchmark can EXPLAIN exactly what the server ran.
 */
import Fastify from 'fastify';
import pg from 'pg';
import { args, int } from './lib.ts';

const [mode, ...rest] = process.argv.slice(2);
const opt = args(
  {
    url: { type: 'string' },
    pool: { type: 'string', default: '20' },
    tenant: { type: 'string' },
    units: { type: 'string' },
  },
  rest,
);
if (!opt.url) throw new Error('--url is required');
const poolSize = int(opt.pool, 'pool');

// Count every statement either server sends (the same thin wrapper in both modes).
const stats = {
  requests: 0,
  queries: 0,
  cpuMs: 0,
  listSql: null as null | { text: string; values: unknown[] },
};
const clientQuery = pg.Client.prototype.query as (...a: unknown[]) => unknown;
(pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (
  this: unknown,
  ...a: unknown[]
) {
  stats.queries++;
  const q = a[0] as string | { text?: string; values?: unknown[] };
  const text = typeof q === 'string' ? q : (q?.text ?? '');
  if (!stats.listSql && /from "?customers"?/i.test(text))
    stats.listSql = {
      text,
      values: (Array.isArray(a[1]) ? a[1] : typeof q === 'object' ? q.values : []) ?? [],
    };
  return clientQuery.apply(this, a);
};

let close: () => Promise<void>;
let port: number;

if (mode === 'kehu') {
  const { createApp } = await import('../apps/server/src/app.ts');
  const { loadConfig } = await import('../apps/server/src/core/config.ts');
  const { openDatabase } = await import('../apps/server/src/core/db/database.ts');
  const config = loadConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    DATABASE_URL: opt.url,
    DB_POOL_SIZE: String(poolSize),
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const database = await openDatabase({ url: config.DATABASE_URL, poolSize: config.DB_POOL_SIZE });
  const app = await createApp(config, database);
  app.addHook('onResponse', async () => {
    stats.requests++;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address();
  port = typeof a === 'object' && a ? a.port : 0;
  close = async () => {
    await app.close();
    await database.close();
  };
} else if (mode === 'bare' || mode === 'bare-tx') {
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
  app.addHook('onResponse', async () => {
    stats.requests++;
  });
  if (mode === 'bare') {
    app.get<{ Querystring: { region: string } }>('/customers', async (req) => {
      const r = await pool.query(text, [tenantId, req.query.region, units]);
      return { items: r.rows.slice(0, 50), more: r.rows.length > 50 };
    });
  } else {
    // Decomposition only (--decompose): the bare route plus the round trips Kehu's request
    // path makes around the SELECT — a session lookup on its own pool checkout, then BEGIN +
    // SET LOCAL role/tenant, the SELECT under RLS, COMMIT — with no other Kehu code.
    const missingSession = '00000000-0000-7000-8000-000000000000';
    app.get<{ Querystring: { region: string } }>('/customers', async (req) => {
      await pool.query(
        `select s.tenant_id, s.user_id, s.token_hash, s.csrf_token, s.expires_at, s.last_seen_at, t.authz_version
         from sessions s join tenants t on t.id = s.tenant_id where s.id = $1`,
        [missingSession],
      );
      const client = await pool.connect();
      try {
        await client.query(
          `begin read only; select set_config('role', 'kehu_app', true), set_config('app.tenant_id', '${tenantId}', true)`,
        );
        const r = await client.query(text, [tenantId, req.query.region, units]);
        await client.query('commit');
        return { items: r.rows.slice(0, 50), more: r.rows.length > 50 };
      } finally {
        client.release();
      }
    });
  }
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address();
  port = typeof a === 'object' && a ? a.port : 0;
  close = async () => {
    await app.close();
    await pool.end();
  };
} else {
  throw new Error(`mode must be kehu, bare or bare-tx, got ${mode}`);
}

const cpuAtListen = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ port })}\n`);
const stop = () => {
  const cpu = process.cpuUsage(cpuAtListen);
  stats.cpuMs = (cpu.user + cpu.system) / 1000;
  process.stdout.write(`${JSON.stringify(stats)}\n`);
  void close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.once('disconnect', stop);

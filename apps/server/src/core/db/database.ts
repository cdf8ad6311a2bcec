import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PgliteDialect } from './pglite-dialect.ts';
import type { DB } from './schema.ts';

/** The application's database handle, the same shape on PostgreSQL and on embedded PGlite. */
export type Db = Kysely<any>;

/**
 * The same handle typed by the generated schema (schema.ts, `npm run db:types`). A `Db` is assignable
 * to it, so code moves over one query at a time; platform/audit is the first.
 */
export type TypedDb = Kysely<DB>;

export interface Database {
  /** Kysely on the owner connection. Tenant work goes through `inTenant`, never this directly. */
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Raw pg pool (server mode only) for COPY and LISTEN. */
  pool?: pg.Pool;
  pglite?: PGlite;
  close(): Promise<void>;
}

// int8 as number (money in minor units and counts stay far below 2^53), numeric as number,
// date as its literal text so no time zone shifts a calendar date.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(NUMERIC, (v) => Number(v));
pg.types.setTypeParser(DATE, (v) => v);

export interface DatabaseOptions {
  url?: string;
  dataDir?: string;
  poolSize?: number;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 20 });
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      kind: 'postgres',
      pool,
      close: () => db.destroy(),
    };
  }
  const dir = opts.dataDir ?? './data';
  if (dir !== 'memory://') mkdirSync(dir, { recursive: true });
  const pglite = await PGlite.create(dir === 'memory://' ? undefined : dir, {
    parsers: {
      [INT8]: (v: string) => Number(v),
      [NUMERIC]: (v: string) => Number(v),
      [DATE]: (v: string) => v,
    },
  });
  const db = new Kysely<any>({ dialect: new PgliteDialect(pglite) });
  return { db, kind: 'pglite', pglite, close: () => db.destroy() };
}

export async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

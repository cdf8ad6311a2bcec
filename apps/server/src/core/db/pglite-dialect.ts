import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
} from 'kysely';

/**
 * Kysely over embedded PGlite. PGlite has exactly one connection, so a lease is exclusive:
 * without this lock two requests' statements would interleave inside each other's
 * transactions. Code holding a lease must use that lease, never the root Kysely.
 */
class PgliteConnection implements DatabaseConnection {
  readonly pg: PGlite;
  constructor(pg: PGlite) {
    this.pg = pg;
  }
  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    // Parameterless multi-statement text (BEGIN; SELECT set_config…) goes through exec.
    if (q.parameters.length === 0 && q.sql.includes(';')) {
      const results = await this.pg.exec(q.sql);
      const last = results[results.length - 1];
      return { rows: (last?.rows ?? []) as R[], numAffectedRows: BigInt(last?.affectedRows ?? 0) };
    }
    const r = await this.pg.query<R>(q.sql, q.parameters as unknown[]);
    return {
      rows: r.rows,
      numAffectedRows: r.affectedRows === undefined ? undefined : BigInt(r.affectedRows),
    };
  }
  // biome-ignore lint/correctness/useYield: streaming is not offered on the embedded database
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streamQuery is not supported on PGlite');
  }
}

class PgliteDriver implements Driver {
  readonly #pg: PGlite;
  readonly #conn: PgliteConnection;
  #queue: Promise<void> = Promise.resolve();
  #release: (() => void) | null = null;
  constructor(pg: PGlite) {
    this.#pg = pg;
    this.#conn = new PgliteConnection(pg);
  }
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    const prev = this.#queue;
    let release!: () => void;
    this.#queue = new Promise<void>((r) => {
      release = r;
    });
    await prev;
    this.#release = release;
    return this.#conn;
  }
  async beginTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection() {
    const r = this.#release;
    this.#release = null;
    r?.();
  }
  async destroy() {
    await this.#pg.close();
  }
}

export class PgliteDialect implements Dialect {
  readonly #pg: PGlite;
  constructor(pg: PGlite) {
    this.#pg = pg;
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver() {
    return new PgliteDriver(this.#pg);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './database.ts';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../migrations');

/** Numbered, forward-only SQL files; a landed file is never edited, only followed by a new one. */
export function listMigrations(dir = MIGRATIONS_DIR): { name: string; sql: string }[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }));
}

// Any constant shared by every Kehu process: serialises concurrent starts on one database.
const MIGRATION_LOCK = 7_202_611;

export async function migrate(db: Db, log: (msg: string) => void = () => {}): Promise<string[]> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      await sql`create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())`.execute(
        conn,
      );
      const done = new Set(
        (await sql<{ name: string }>`select name from schema_migrations`.execute(conn)).rows.map(
          (r) => r.name,
        ),
      );
      const applied: string[] = [];
      for (const m of listMigrations()) {
        if (done.has(m.name)) continue;
        await sql.raw('begin').execute(conn);
        try {
          await sql.raw(m.sql).execute(conn);
          await sql`insert into schema_migrations (name) values (${m.name})`.execute(conn);
          await sql.raw('commit').execute(conn);
        } catch (err) {
          await sql.raw('rollback').execute(conn);
          throw new Error(`migration ${m.name} failed: ${(err as Error).message}`);
        }
        applied.push(m.name);
        log(`applied migration ${m.name}`);
      }
      return applied;
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}

export async function pendingMigrations(db: Db): Promise<number> {
  try {
    const rows = (await sql<{ name: string }>`select name from schema_migrations`.execute(db)).rows;
    const done = new Set(rows.map((r) => r.name));
    return listMigrations().filter((m) => !done.has(m.name)).length;
  } catch {
    return listMigrations().length;
  }
}

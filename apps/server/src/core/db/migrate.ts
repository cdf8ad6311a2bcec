import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Db } from './database.ts';

/** The kernel's own tables (tenants, units, users, roles, sessions, audit, outbox, jobs …). */
export const KERNEL_MIGRATIONS = join(dirname(fileURLToPath(import.meta.url)), '../migrations');

let moduleSources: string[] = [];
/** The module loader names the engine's and every module's migrations folder, once at start. */
export function setMigrationSources(dirs: string[]): void {
  moduleSources = dirs;
}

/**
 * Forward-only SQL files, one folder per module; a landed file is never edited, only followed
 * by a new one. Names are unique across folders and applied in name order across all of them
 * (`0001_…` … `0040_…` from before modules had folders, then `YYYYMMDDHHMM_…` timestamps), so a
 * module's migration can rely on the tables of modules that came before it in time.
 */
export function listMigrations(
  dirs = [KERNEL_MIGRATIONS, ...moduleSources],
): { name: string; sql: string }[] {
  const files = new Map<string, string>();
  for (const dir of dirs) {
    for (const f of readdirSync(dir)) {
      if (!/^(\d{4}|\d{12})_[a-z0-9_]+\.sql$/.test(f)) continue;
      if (files.has(f)) throw new Error(`migration ${f} exists in ${files.get(f)} and ${dir}`);
      files.set(f, dir);
    }
  }
  return [...files.keys()]
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(files.get(name)!, name), 'utf8') }));
}

// Any constant shared by every Kehu process: serialises concurrent starts on one database.
const MIGRATION_LOCK = 7_202_611;

export async function migrate(db: Db, log: (msg: string) => void = () => {}): Promise<string[]> {
  // Only the kernel's tables would be a broken database: callers go through app.ts's migrateAll().
  if (!moduleSources.length)
    throw new Error('migrate: the module loader has not named the migration folders');
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

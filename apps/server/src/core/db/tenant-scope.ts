import { sql } from 'kysely';
import { isUuid } from '../ids.ts';
import type { Db, TypedDb } from './database.ts';

/**
 * A Kysely handle bound to one connection inside a tenant transaction (RLS on, `app.tenant_id`
 * set). A distinct type from the owner connection (`Db`): code written for a tenant cannot be
 * handed the owner's connection, which bypasses row-level security, without saying so.
 */
export type Tx = Db & { readonly __scope: 'tenant' };

/** A tenant transaction typed by the generated schema: `const db: TypedTx = tx`. */
export type TypedTx = TypedDb & { readonly __scope: 'tenant' };

/** The owner connection inside a transaction: cross-tenant work only (claims, login lookup, migrations). */
export type SystemTx = Db & { readonly __scope: 'system' };

/** The role application queries run as: it owns no table, so forced RLS always applies. */
export const APP_ROLE = 'kehu_app';

/**
 * Runs `fn` in one transaction as the application role with `app.tenant_id` set, so
 * PostgreSQL row-level security confines every statement to that tenant (the second line
 * of defence behind the record engine's own scoping). BEGIN and both settings go in one
 * round trip.
 */
export async function inTenant<T>(
  db: Db,
  tenantId: string,
  fn: (tx: Tx) => Promise<T>,
  opts: { readOnly?: boolean } = {},
): Promise<T> {
  if (!isUuid(tenantId)) throw new Error('inTenant: tenant id must be a uuid');
  return db.connection().execute(async (conn) => {
    await sql
      .raw(
        `begin${opts.readOnly ? ' read only' : ''}; select set_config('role', '${APP_ROLE}', true), set_config('app.tenant_id', '${tenantId}', true)`,
      )
      .execute(conn);
    try {
      const result = await fn(conn as Tx);
      if (opts.readOnly) {
        // Nothing to make durable: the COMMIT is queued on this connection ahead of whatever
        // its next borrower sends, and the response need not wait for its round trip.
        sql
          .raw('commit')
          .execute(conn)
          .catch(() => {});
        return result;
      }
      await sql.raw('commit').execute(conn);
      return result;
    } catch (err) {
      await sql
        .raw('rollback')
        .execute(conn)
        .catch(() => {});
      throw err;
    }
  });
}

/** Work that spans tenants (job claiming, login lookup, migrations) runs as the owner. */
export async function asSystem<T>(db: Db, fn: (tx: SystemTx) => Promise<T>): Promise<T> {
  return db.transaction().execute((trx) => fn(trx as unknown as SystemTx));
}

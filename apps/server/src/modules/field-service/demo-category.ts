import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';

/** A service category for the tickets the demo and the tests file (service's createTicket needs an active one). */
export async function ensureCategory(tx: Tx, tenantId: string, key = 'fs_repair') {
  await sql`insert into service_categories (tenant_id, id, key, name, fields)
    select ${tenantId}, ${newId()}, ${key}, '上门维修', '[]'::jsonb
    where not exists (select 1 from service_categories where tenant_id = ${tenantId} and key = ${key})`.execute(
    tx,
  );
  return key;
}

import { SERVICE_PERMISSIONS } from '@kehu/contracts/service';
import { type RawBuilder, sql } from 'kysely';
import { can, type Principal, rowScope } from '../../../core/auth/principal.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { serviceProblem } from '../service.messages.ts';
import { loadTicket, type TicketRow } from './ticket.core.ts';

/**
 * Who sees a ticket: the caller's data scope over `service_ticket` (HQ the tenant, a region or
 * dealer its subtree, a store its unit), plus the tickets they were given or filed. Anything
 * else answers 404, as if it did not exist.
 */
export function ticketVisible(p: Principal, alias = 't'): RawBuilder<unknown> {
  const s = rowScope(p, 'service_ticket');
  if (s.unitIds === null) return sql`true`;
  const a = sql.ref(alias);
  return sql`(${a}.unit_id = any(${s.unitIds}::uuid[]) or ${a}.assignee_id = ${p.userId}
    or ${a}.created_by = ${p.userId})`;
}

export async function visibleTicket(
  tx: Tx,
  p: Principal,
  id: string,
  locale: Locale,
  lock = false,
): Promise<TicketRow> {
  const r = await sql<{ ok: boolean }>`select ${ticketVisible(p)} as ok from service_tickets t
    where t.tenant_id = ${p.tenantId} and t.id = ${id}`.execute(tx);
  if (!r.rows[0]?.ok) throw serviceProblem('not_found', locale, 'ticket_not_found');
  return (await loadTicket(tx, p.tenantId, id, lock))!;
}

export const canHandle = (p: Principal) => can(p, SERVICE_PERMISSIONS.handle);

/** A contact the caller may see (their data scope over contacts). */
export async function contactVisible(
  tx: Tx,
  p: Principal,
  contactId: string,
): Promise<{ unit_id: string } | null> {
  const s = rowScope(p, 'contact');
  const r = await sql<{ unit_id: string }>`select unit_id from contacts c
    where c.tenant_id = ${p.tenantId} and c.id = ${contactId} and c.deleted_at is null
      and (${s.unitIds === null} or c.unit_id = any(${s.unitIds ?? []}::uuid[]) or c.owner_id = ${p.userId})`.execute(
    tx,
  );
  return r.rows[0] ?? null;
}

/** Users who may handle tickets (a role granting service:handle), active. */
export const HANDLER_ROLE = sql`exists (select 1 from user_roles ur join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id
  where ur.tenant_id = u.tenant_id and ur.user_id = u.id
    and r.permissions && array['*', 'service:*', 'service:handle']::text[])`;

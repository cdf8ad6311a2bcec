import type { SidebarTicketInput, TicketSummary } from '@kehu/contracts/service';
import { sql } from 'kysely';
import { can, type Principal } from '../../../core/auth/principal.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import { forbidden } from '../../../core/errors.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { sidebarChatPerson } from '../../sidebar/index.ts';
import { contactVisible } from './ticket-access.ts';
import { fileTicket, listTickets } from './tickets.service.ts';

/**
 * 工单 in the WeCom chat sidebar (R8.1, channel `sidebar`). The person is the open chat's: the
 * sidebar's access rule decides (the caller follows them, or their scope covers a staff member
 * who does; else 404), and the caller also needs `sidebar:use`. The ticket links the CRM contact
 * when the caller sees it and always the person's profile (so their member tier sets the SLA);
 * filing is the ordinary `fileTicket`, so the unit rules, idempotency and assignment are the same.
 * The open tickets listed are those of the person the caller may see (ticket scope).
 */
async function chatPerson(tx: Tx, p: Principal, externalUserId: string) {
  if (!can(p, 'sidebar:use')) throw forbidden('sidebar:use');
  return sidebarChatPerson(tx, p, externalUserId);
}

export async function sidebarTickets(
  tx: Tx,
  p: Principal,
  externalUserId: string,
): Promise<{ items: TicketSummary[]; nextCursor: string | null }> {
  const person = await chatPerson(tx, p, externalUserId);
  if (!person.contactId && !person.profileId) return { items: [], nextCursor: null };
  const seen = new Map<string, TicketSummary>();
  for (const q of [
    person.contactId ? { contactId: person.contactId } : null,
    person.profileId ? { profileId: person.profileId } : null,
  ]) {
    if (!q) continue;
    const page = await listTickets(tx, p, { status: 'open', limit: 20, ...q });
    for (const t of page.items) seen.set(t.id, t);
  }
  const items = [...seen.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1)).slice(0, 20);
  return { items, nextCursor: null };
}

export async function fileSidebarTicket(
  tx: Tx,
  p: Principal,
  locale: Locale,
  externalUserId: string,
  body: SidebarTicketInput,
) {
  const person = await chatPerson(tx, p, externalUserId);
  const contactId =
    person.contactId && (await contactVisible(tx, p, person.contactId)) ? person.contactId : undefined;
  let profileId = person.profileId ?? undefined;
  if (profileId) {
    // a profile merged away since the follow was linked: the survivor
    profileId =
      (
        await sql<{ id: string }>`select coalesce(merged_into, id) as id from cdp_profiles
          where tenant_id = ${p.tenantId} and id = ${profileId}`.execute(tx)
      ).rows[0]?.id ?? undefined;
  }
  return fileTicket(tx, p, locale, {
    ...body,
    channel: 'sidebar',
    kind: 'request',
    contactId,
    profileId,
    // one chat, one key space: a double tap in the sidebar files once
    idempotencyKey: body.idempotencyKey ? `sidebar:${externalUserId}:${body.idempotencyKey}` : undefined,
  });
}

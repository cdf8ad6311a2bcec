import type { Tx } from '../../../core/db/tenant-scope.ts';
import * as service from '../../service/index.ts';

type CloseTicket = (
  tx: Tx,
  tenantId: string,
  ticketId: string,
  opts: { actorId?: string; note?: string },
) => Promise<unknown>;

/** What the field pages show of a ticket (service's getTicket), by id. */
export async function ticketFacts(tx: Tx, tenantId: string, ids: string[]) {
  const out = new Map<string, NonNullable<Awaited<ReturnType<typeof service.getTicket>>>>();
  for (const id of new Set(ids)) {
    const t = await service.getTicket(tx, tenantId, id);
    if (t) out.set(id, t);
  }
  return out;
}

/**
 * Closes the ticket once the visit is signed off. The service contract (service-contract.md) has
 * no close function yet: when the service module exports `closeTicket(tx, tenantId, ticketId,
 * { actorId, note })` it is used here; until then this answers false, the work order says the
 * ticket is still open, and the service desk closes it.
 */
export async function closeTicketAfterVisit(
  tx: Tx,
  tenantId: string,
  ticketId: string,
  actorId: string,
  number: string,
): Promise<boolean> {
  const close = (service as unknown as { closeTicket?: CloseTicket }).closeTicket;
  if (typeof close !== 'function') return false;
  await close(tx, tenantId, ticketId, { actorId, note: `现场服务单 ${number} 已完成并经客户签字确认` });
  return true;
}

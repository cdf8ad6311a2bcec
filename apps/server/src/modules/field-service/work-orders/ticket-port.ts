import type { Tx } from '../../../core/db/tenant-scope.ts';
import * as service from '../../service/index.ts';

/** What the field pages show of a ticket (service's getTicket), by id. */
export async function ticketFacts(tx: Tx, tenantId: string, ids: string[]) {
  const out = new Map<string, NonNullable<Awaited<ReturnType<typeof service.getTicket>>>>();
  for (const id of new Set(ids)) {
    const t = await service.getTicket(tx, tenantId, id);
    if (t) out.set(id, t);
  }
  return out;
}

/** Closes the ticket once the visit is signed off (service's closeTicket; the survey follows from its close). */
export async function closeTicketAfterVisit(
  tx: Tx,
  tenantId: string,
  ticketId: string,
  actorId: string,
  number: string,
): Promise<boolean> {
  await service.closeTicket(tx, tenantId, ticketId, {
    actorId,
    note: `现场服务单 ${number} 已完成并经客户签字确认`,
  });
  return true;
}

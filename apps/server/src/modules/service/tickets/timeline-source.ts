import { SERVICE_PERMISSIONS } from '@kehu/contracts/service';
import { sql } from 'kysely';
import { can } from '../../../core/auth/principal.ts';
import type { TimelineSource } from '../../cdp/index.ts';
import { ticketVisible } from './ticket-access.ts';

/**
 * Tickets on the person's timeline (R8, "service records join the customer timeline"): those of the
 * profile, of the customer, or linked to the customer, that the viewer may see (ticket scope) —
 * one item per ticket when it was filed, with its status now. Merged tickets live on in the one
 * they went into.
 */
export const ticketTimelineSource: TimelineSource = {
  kind: 'service',
  async items(tx, principal, _actor, q) {
    if (!can(principal, SERVICE_PERMISSIONS.read)) return [];
    if (!q.profileIds.length && !q.customerIds.length) return [];
    const rows = (
      await sql<{
        id: string;
        number: string;
        subject: string;
        status: string;
        kind: string;
        created_at: Date;
        assignee: string | null;
      }>`select t.id, t.number, t.subject, t.status, t.kind, t.created_at, u.name as assignee
        from service_tickets t
        left join users u on u.tenant_id = t.tenant_id and u.id = t.assignee_id
        where t.tenant_id = ${principal.tenantId} and t.status <> 'merged' and ${ticketVisible(principal)}
          and (t.profile_id = any(${q.profileIds}::uuid[]) or t.customer_id = any(${q.customerIds}::uuid[])
            or exists (select 1 from service_ticket_links l where l.tenant_id = t.tenant_id and l.ticket_id = t.id
              and l.object = 'customer' and l.record_id = any(${q.customerIds}::text[])))
          ${q.before ? sql`and t.created_at < ${q.before}` : sql``}
        order by t.created_at desc, t.id desc limit ${q.limit}`.execute(tx)
    ).rows;
    return rows.map((r) => ({
      key: `service:${r.id}`,
      kind: 'service' as const,
      at: new Date(r.created_at).toISOString(),
      title: `${r.number} ${r.subject}`,
      type: r.kind === 'complaint' ? 'complaint' : 'ticket',
      object: 'service_ticket',
      recordId: r.id,
      status: r.status,
      actor: r.assignee,
    }));
  },
};

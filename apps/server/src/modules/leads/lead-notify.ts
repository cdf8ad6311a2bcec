import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notify } from '../notifications/index.ts';

export interface AssignedLead {
  id: string;
  owner_id: string | null;
  name: string;
  company: string | null;
  score: number | null;
  first_response_due_at: Date | string | null;
}

/**
 * Notifies assignees of new leads, one notification per assignee per batch. Called inside
 * the intake transaction, so the notification commits exactly with the lead (R3.3 "within
 * seconds" becomes "at commit"); webhooks are queued from `notify()` as durable jobs.
 */
export async function notifyAssignees(
  tx: Tx,
  tenantId: string,
  leadIds: string[],
  known?: AssignedLead[],
): Promise<number> {
  const rows: AssignedLead[] =
    known ??
    (
      await sql<AssignedLead>`
      select id, owner_id, name, company, score, first_response_due_at from leads
      where tenant_id = ${tenantId} and id = any(${leadIds}::uuid[]) and owner_id is not null`.execute(tx)
    ).rows;
  const byOwner = new Map<string, typeof rows>();
  for (const r of rows) byOwner.set(r.owner_id!, [...(byOwner.get(r.owner_id!) ?? []), r]);
  for (const [owner, leads] of byOwner) {
    const l = leads[0]!;
    const who = l.company ? `${l.name}（${l.company}）` : l.name;
    const due = l.first_response_due_at
      ? new Date(new Date(l.first_response_due_at).getTime() + 8 * 3600_000).toISOString().slice(11, 16)
      : null;
    await notify(tx, tenantId, {
      userIds: [owner],
      kind: 'lead.assigned',
      title:
        leads.length === 1
          ? { 'zh-CN': `新线索：${who}`, 'en-US': `New lead: ${who}` }
          : { 'zh-CN': `你有 ${leads.length} 条新线索`, 'en-US': `${leads.length} new leads for you` },
      body:
        leads.length === 1
          ? {
              'zh-CN': `评分 ${l.score ?? '-'}${due ? `，请在 ${due} 前首次响应` : ''}`,
              'en-US': `Score ${l.score ?? '-'}${due ? `; respond by ${due}` : ''}`,
            }
          : undefined,
      link: leads.length === 1 ? `/leads/inbox/${l.id}` : '/leads/inbox',
      object: 'lead',
      recordId: leads.length === 1 ? l.id : undefined,
      data: { leadIds: leads.map((x) => x.id) },
    });
  }
  return rows.length;
}

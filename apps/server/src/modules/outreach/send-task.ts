import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';

/** The SOP rule that messaging's 1:1 tasks hang from (disabled: it generates nothing itself). */
/** The internal rule's trigger (sop.service.ts listSopRules leaves the rule out by this name). */
const MESSAGING_TRIGGER = 'messaging';

async function messagingRule(tx: Tx, tenantId: string): Promise<string> {
  const found = (
    await sql<{ id: string }>`select id from sop_rules where tenant_id = ${tenantId}
      and trigger->>'on' = ${MESSAGING_TRIGGER} order by created_at limit 1`.execute(tx)
  ).rows[0];
  if (found) return found.id;
  const id = newId();
  await sql`insert into sop_rules (tenant_id, id, name, kind, trigger, steps, enabled, unit_id)
    select ${tenantId}, ${id}, '消息触达 · 1 对 1', 'customer', ${JSON.stringify({ on: MESSAGING_TRIGGER })}::jsonb,
      '[]'::jsonb, false, u.id
    from units u where u.tenant_id = ${tenantId} and u.parent_id is null order by u.path limit 1`.execute(tx);
  return id;
}

/**
 * Messaging's wecom_private channel (issue 12): a 1:1 WeCom message is a task for the staff member
 * who has the customer — in "my SOP tasks" and the chat sidebar, with one-tap send (WeCom allows no
 * server-side 1:1 send). The task id is the message id, so a retried delivery adds no second task.
 * Returns false when the customer is no longer this staff member's live contact.
 */
export async function createSendTask(
  tx: Tx,
  tenantId: string,
  t: { messageId: string; externalUserid: string; content: string; dueAt: Date },
): Promise<boolean> {
  const rule = await messagingRule(tx, tenantId);
  const r =
    await sql`insert into sop_tasks (tenant_id, id, rule_id, step, kind, content, corp_ref, target, target_name,
      staff_userid, user_id, unit_id, due_at)
    select x.tenant_id, ${t.messageId}::uuid, ${rule}::uuid, 0, 'send_text', ${t.content}, x.corp_ref, x.external_userid,
      x.name, x.userid, w.user_id, x.unit_id, ${t.dueAt}
    from wecom_external_contacts x
    left join wecom_staff w on w.tenant_id = x.tenant_id and w.corp_ref = x.corp_ref and w.userid = x.userid
    where x.tenant_id = ${tenantId} and x.external_userid = ${t.externalUserid} and x.status = 'active'
    order by x.added_at limit 1
    on conflict do nothing`.execute(tx);
  if (Number(r.numAffectedRows ?? 0) > 0) return true;
  const exists =
    await sql`select 1 from sop_tasks where tenant_id = ${tenantId} and id = ${t.messageId}`.execute(tx);
  return exists.rows.length > 0;
}

/** Whether a closed task came from messaging (its close is the message's delivery). */
export const isMessagingRule = (trigger: unknown) =>
  typeof trigger === 'object' && trigger !== null && (trigger as { on?: string }).on === MESSAGING_TRIGGER;

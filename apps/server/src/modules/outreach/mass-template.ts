import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { corpRuntime, WeComApiError, WeComClient } from '../wecom/index.ts';
import { outreachDatabase } from './send.job.ts';

export type MassTemplateResult =
  | { ok: true; msgid: string; sender: string }
  | { ok: false; retryable: boolean; error: string };

/** WeCom answers that mean "later": busy, system error, token trouble the client could not mend. */
const RETRYABLE = new Set([-1, 45009, 45033, 40001, 40014, 42001]);

/**
 * Messaging's wecom_mass channel (issue 12): one 企业群发 template (add_msg_template) for one
 * customer, named to the staff member who has them (the earliest live relation, as WeCom itself
 * picks), who confirms it in their client. Returns WeCom's msgid, the provider reference that
 * get_groupmsg_send_result is read with. No live relation → `staff_deleted`; WeCom's fail_list
 * naming the customer (not a friend any more) → `not_friend`.
 */
export async function sendMassTemplate(
  tx: Tx,
  tenantId: string,
  m: { externalUserid: string; text: string },
): Promise<MassTemplateResult> {
  const rel = (
    await sql<{ corp_ref: string; userid: string }>`select corp_ref, userid from wecom_external_contacts
      where tenant_id = ${tenantId} and external_userid = ${m.externalUserid} and status = 'active'
      order by added_at limit 1`.execute(tx)
  ).rows[0];
  if (!rel) return { ok: false, retryable: false, error: 'staff_deleted' };
  let corp: Awaited<ReturnType<typeof corpRuntime>>;
  try {
    corp = await corpRuntime(tx, tenantId, rel.corp_ref);
  } catch {
    return { ok: false, retryable: false, error: 'wecom_corp_missing' };
  }
  try {
    const res = await new WeComClient(outreachDatabase(), corp).post('externalcontact/add_msg_template', {
      chat_type: 'single',
      sender: rel.userid,
      external_userid: [m.externalUserid],
      text: { content: m.text },
    });
    if ((res.fail_list ?? []).includes(m.externalUserid))
      return { ok: false, retryable: false, error: 'not_friend' };
    return { ok: true, msgid: String(res.msgid), sender: rel.userid };
  } catch (e) {
    if (e instanceof WeComApiError)
      return { ok: false, retryable: RETRYABLE.has(e.errcode), error: `wecom_${e.errcode}` };
    // Network trouble or the outbound guard: the guard's refusal is final, a network error is not.
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, retryable: !/refus|not allowed|private/i.test(msg), error: 'wecom_unreachable' };
  }
}

/** What WeCom says became of one customer's 企业群发: confirmed and sent, refused, or not yet. */
export type MassTemplateOutcome = 'waiting' | 'sent' | 'not_friend' | 'over_limit' | 'gone';
const SEND_STATUS: Record<number, MassTemplateOutcome> = { 1: 'sent', 2: 'not_friend', 3: 'over_limit' };

/**
 * Reads a template's fate for one customer: get_groupmsg_task (which staff member confirmed it),
 * then get_groupmsg_send_result for them. `gone`: WeCom no longer knows the msgid (cancelled).
 */
export async function massTemplateOutcome(
  tx: Tx,
  tenantId: string,
  m: { msgid: string; externalUserid: string },
): Promise<MassTemplateOutcome> {
  const rel = (
    await sql<{ corp_ref: string }>`select corp_ref from wecom_external_contacts
      where tenant_id = ${tenantId} and external_userid = ${m.externalUserid} order by added_at limit 1`.execute(
      tx,
    )
  ).rows[0];
  if (!rel) return 'gone';
  const client = new WeComClient(outreachDatabase(), await corpRuntime(tx, tenantId, rel.corp_ref));
  try {
    const tasks = await client.post('externalcontact/get_groupmsg_task', { msgid: m.msgid, limit: 1000 });
    const confirmed = (tasks.task_list ?? []).filter((t: any) => t.status === 2).map((t: any) => t.userid);
    for (const userid of confirmed) {
      const r = await client.post('externalcontact/get_groupmsg_send_result', {
        msgid: m.msgid,
        userid,
        limit: 1000,
      });
      const mine = (r.send_list ?? []).find((x: any) => x.external_userid === m.externalUserid);
      if (mine && SEND_STATUS[mine.status]) return SEND_STATUS[mine.status]!;
    }
    return 'waiting';
  } catch (e) {
    if (e instanceof WeComApiError && e.errcode === 40_058) return 'gone';
    throw e;
  }
}

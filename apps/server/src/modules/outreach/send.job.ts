import { sql } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import {
  corpRuntime,
  type MassMaterial,
  massAttachments,
  WeComApiError,
  WeComClient,
} from '../wecom/index.ts';
import { POLL_FOR_MS, schedulePoll } from './poll-schedule.ts';

export const SEND_QUEUE = 'outreach:send';
/** WeCom takes at most 10,000 external_userid per add_msg_template call. */
export const PER_CALL = 10_000;

let database: Database | null = null;
export function bindOutreachDatabase(d: Database) {
  database = d;
}
export const outreachDatabase = () => db();
const db = () => {
  if (!database) throw new Error('outreach: database not bound');
  return database;
};

/**
 * Hands a planned message to WeCom: one add_msg_template per staff member and batch of 10,000
 * (the sender named, so each staff member confirms their own part in their client). A batch is
 * recorded with its msgid in the same transaction that marks it sent to WeCom, so a retried job
 * skips what was already created.
 */
export async function dispatchMessage(tenantId: string, messageId: string): Promise<void> {
  const d = db();
  const m = await inTenant(d.db, tenantId, async (tx) => {
    const r = (
      await sql<any>`update outreach_messages set status = 'sending'
        where tenant_id = ${tenantId} and id = ${messageId} and status in ('planned', 'scheduled', 'sending')
        returning *`.execute(tx)
    ).rows[0];
    if (!r) return null;
    return { m: r, corp: await corpRuntime(tx, tenantId, r.corp_ref) };
  });
  if (!m) return;
  const client = new WeComClient(d, m.corp);
  const staff = await inTenant(
    d.db,
    tenantId,
    async (tx) =>
      (
        await sql<{ staff_userid: string; staff_id: string | null; targets: string[] }>`
        select r.staff_userid, (select w.user_id from wecom_staff w where w.tenant_id = r.tenant_id
            and w.corp_ref = ${m.m.corp_ref} and w.userid = r.staff_userid) as staff_id,
          array_agg(r.target order by r.target) as targets from outreach_recipients r
        where r.tenant_id = ${tenantId} and r.message_id = ${messageId} and r.status = 'planned'
        group by r.tenant_id, r.staff_userid order by r.staff_userid`.execute(tx)
      ).rows,
  );
  for (const s of staff) {
    for (let b = 0; b * PER_CALL < s.targets.length; b++) {
      const targets = s.targets.slice(b * PER_CALL, (b + 1) * PER_CALL);
      const res = await addTemplate(
        client,
        m.corp,
        m.m,
        {
          userid: s.staff_userid,
          // A staff member without a Kehu user: their poster QR and links are the planner's.
          staffId: s.staff_id ?? m.m.created_by,
        },
        targets,
      );
      const failed: string[] = res.fail_list ?? [];
      await inTenant(d.db, tenantId, async (tx) => {
        await sql`insert into outreach_tasks (tenant_id, message_id, staff_userid, batch, msgid, status, recipients)
          values (${tenantId}, ${messageId}, ${s.staff_userid}, ${b}, ${res.msgid}, 'pending', ${targets.length})
          on conflict do nothing`.execute(tx);
        await sql`update outreach_recipients set status = case when target = any(${failed}::text[]) then 'failed' else 'waiting' end,
            msgid = ${res.msgid}
          where tenant_id = ${tenantId} and message_id = ${messageId} and target = any(${targets}::text[])
            and status = 'planned'`.execute(tx);
      });
    }
  }
  // From now on the results are read on a schedule until final (poll.job.ts).
  await inTenant(d.db, tenantId, (tx) =>
    schedulePoll(tx, tenantId, {
      messageId,
      until: new Date(Date.now() + POLL_FOR_MS).toISOString(),
      round: 1,
    }),
  );
}

/**
 * One add_msg_template for a staff task: the text, the message's own attachments and its materials
 * as this staff member's attachments (their poster, their tracked links). A media id WeCom no longer
 * knows (40007) is uploaded again and the call made once more.
 */
async function addTemplate(
  client: WeComClient,
  corp: Awaited<ReturnType<typeof corpRuntime>>,
  m: any,
  sender: { userid: string; staffId: string },
  targets: string[],
) {
  const materials: MassMaterial[] = m.materials ?? [];
  for (let attempt = 0; ; attempt++) {
    const built = materials.length
      ? await massAttachments(db(), corp, client, materials, sender, attempt > 0)
      : [];
    const attachments = [...(m.attachments ?? []), ...built];
    const body: Record<string, unknown> = {
      chat_type: m.chat_type,
      sender: sender.userid,
      ...(m.body ? { text: { content: m.body } } : {}),
      ...(attachments.length ? { attachments } : {}),
      ...(m.chat_type === 'group' ? { chat_id_list: targets } : { external_userid: targets }),
    };
    try {
      return await client.post('externalcontact/add_msg_template', body);
    } catch (e) {
      if (attempt === 0 && materials.length && e instanceof WeComApiError && e.errcode === 40007) continue;
      throw e;
    }
  }
}

const RESULT = { 1: 'sent', 2: 'not_friend', 3: 'over_limit' } as Record<number, string>;

/**
 * Reads where WeCom is: get_groupmsg_task (did each staff member confirm?) and, for those who
 * did, get_groupmsg_send_result per customer (sent, not a friend, over the limit). Replies are
 * customers' messages in the chat archive within 24 h of the send.
 */
export async function pollResults(tenantId: string, messageId: string): Promise<void> {
  const d = db();
  const ctx = await inTenant(d.db, tenantId, async (tx) => {
    const m = (
      await sql<any>`select * from outreach_messages where tenant_id = ${tenantId} and id = ${messageId}`.execute(
        tx,
      )
    ).rows[0];
    if (!m) return null;
    const tasks = (
      await sql<{ staff_userid: string; batch: number; msgid: string }>`select staff_userid, batch, msgid
        from outreach_tasks where tenant_id = ${tenantId} and message_id = ${messageId} and status = 'pending'`.execute(
        tx,
      )
    ).rows;
    // Nothing waiting in WeCom: nothing to ask it (and no need for the corp).
    if (!tasks.length) return null;
    return { m, tasks, corp: await corpRuntime(tx, tenantId, m.corp_ref) };
  });
  if (!ctx) return;
  const client = new WeComClient(d, ctx.corp);
  for (const t of ctx.tasks) {
    let cursor = '';
    let confirmed = false;
    do {
      const r = await client.post('externalcontact/get_groupmsg_task', {
        msgid: t.msgid,
        limit: 1000,
        cursor,
      });
      if ((r.task_list ?? []).some((x: any) => x.userid === t.staff_userid && x.status === 2))
        confirmed = true;
      cursor = r.next_cursor ?? '';
    } while (cursor);
    if (!confirmed) continue;
    const results: Array<{ target: string; status: string; at: number | null }> = [];
    cursor = '';
    do {
      const r = await client.post('externalcontact/get_groupmsg_send_result', {
        msgid: t.msgid,
        userid: t.staff_userid,
        limit: 1000,
        cursor,
      });
      for (const x of r.send_list ?? [])
        if (RESULT[x.status])
          results.push({
            target: x.external_userid ?? x.chat_id,
            status: RESULT[x.status],
            at: x.send_time ?? null,
          });
      cursor = r.next_cursor ?? '';
    } while (cursor);
    await inTenant(d.db, tenantId, async (tx) => {
      await sql`update outreach_tasks set status = 'sent', sent_at = now()
        where tenant_id = ${tenantId} and message_id = ${messageId} and staff_userid = ${t.staff_userid}
          and batch = ${t.batch}`.execute(tx);
      if (results.length)
        await sql`update outreach_recipients r set status = v.status
          from (select unnest(${results.map((x) => x.target)}::text[]) as target,
                       unnest(${results.map((x) => x.status)}::text[]) as status) v
          where r.tenant_id = ${tenantId} and r.message_id = ${messageId} and r.target = v.target
            and r.status = 'waiting'`.execute(tx);
    });
  }
  await inTenant(d.db, tenantId, async (tx) => {
    await sql`update outreach_messages set status = 'sent' where tenant_id = ${tenantId} and id = ${messageId}
      and status = 'sending'
      and not exists (select 1 from outreach_tasks t where t.tenant_id = ${tenantId} and t.message_id = ${messageId}
        and t.status = 'pending')`.execute(tx);
  });
}

export async function sendJob(payload: { messageId: string }, ctx: JobContext) {
  await dispatchMessage(ctx.tenantId, payload.messageId);
}

import type {
  ActivityPulled,
  ActivityQuery,
  ActivityReport,
  ActivityRow,
} from '@kehu/contracts/wecom-groups';
import { sql } from 'kysely';
import { type Principal, rowScope } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { enqueue, type JobContext } from '../../core/jobs/queue.ts';
import { WeComClient } from './connector/client.ts';
import { type CorpRuntime, corpRuntime } from './corps.service.ts';

/**
 * Staff activity (R11.3): per staff member and team per day — customers added, deleted by the
 * customer (被删, del_follow_user) and removed by the staff member (del_external_contact), by channel
 * code, from the relationships Kehu stores — plus what only WeCom knows: chats, messages, reply rate
 * and average reply time (`get_user_behavior_data`) and group figures (`groupchat/statistic`),
 * pulled per corp by a daily job (it re-queues itself for the next night) or on demand.
 * Scoped like every report (the `lead` data scope): own → the caller's own staff rows, unit / unit
 * tree → staff whose Kehu user sits there, tenant → everyone (unmapped staff only at tenant scope or
 * when the corp's unit is in scope).
 */
export const ACTIVITY_QUEUE = 'wecom:activity';
export interface ActivityJob {
  corpRef: string;
  days?: number;
  /** Re-queue for the next night after running. */
  daily?: boolean;
}

const DAY = 86_400_000;
const CST = 8 * 3_600_000;
/** Asia/Shanghai calendar day of an instant, YYYY-MM-DD. */
export const cstDay = (ms: number) => new Date(ms + CST).toISOString().slice(0, 10);
const dayStartSec = (day: string) => Date.parse(`${day}T00:00:00+08:00`) / 1000;

let databaseRef: Database | null = null;
export const bindActivityDatabase = (d: Database) => {
  databaseRef = d;
};

export async function pullActivity(
  database: Database,
  corp: CorpRuntime,
  days: number,
): Promise<ActivityPulled> {
  const staff = await inTenant(
    database.db,
    corp.tenantId,
    async (tx) =>
      (
        await sql<{ userid: string }>`select userid from wecom_staff where tenant_id = ${corp.tenantId}
          and corp_ref = ${corp.corpRef} and active order by userid`.execute(tx)
      ).rows.map((r) => r.userid),
    { readOnly: true },
  );
  if (!staff.length) return { staff: 0, days };
  const client = new WeComClient(database, corp);
  const to = cstDay(Date.now());
  const from = cstDay(Date.now() - (days - 1) * DAY);
  const rows = new Map<string, Record<string, number | null>>();
  const row = (userid: string, day: string) => {
    const k = `${userid}|${day}`;
    if (!rows.has(k)) rows.set(k, {});
    return rows.get(k)!;
  };
  for (const userid of staff) {
    const res = await client.post('externalcontact/get_user_behavior_data', {
      userid: [userid],
      start_time: dayStartSec(from),
      end_time: dayStartSec(to),
    });
    for (const d of res.behavior_data ?? []) {
      const r = row(userid, cstDay(Number(d.stat_time) * 1000));
      r.chat_cnt = d.chat_cnt ?? 0;
      r.message_cnt = d.message_cnt ?? 0;
      r.reply_percentage = d.reply_percentage ?? null;
      r.avg_reply_time = d.avg_reply_time ?? null;
      r.negative_feedback_cnt = d.negative_feedback_cnt ?? 0;
      r.new_contact_cnt = d.new_contact_cnt ?? 0;
    }
  }
  for (let t = dayStartSec(from); t <= dayStartSec(to); t += 86_400) {
    let offset = 0;
    for (;;) {
      const res = await client.post('externalcontact/groupchat/statistic', {
        day_begin_time: t,
        day_end_time: t,
        owner_filter: { userid_list: staff },
        offset,
        limit: 1000,
      });
      for (const it of res.items ?? []) {
        const r = row(String(it.owner), cstDay(t * 1000));
        r.group_chat_total = it.data?.chat_total ?? 0;
        r.group_new_member_cnt = it.data?.new_member_cnt ?? 0;
        r.group_msg_total = it.data?.msg_total ?? 0;
      }
      if (!res.next_offset || res.next_offset >= (res.total ?? 0) || res.next_offset <= offset) break;
      offset = res.next_offset;
    }
  }
  await inTenant(database.db, corp.tenantId, async (tx) => {
    for (const [k, r] of rows) {
      const [userid, day] = k.split('|') as [string, string];
      await sql`insert into wecom_staff_daily (tenant_id, corp_ref, userid, day, chat_cnt, message_cnt, reply_percentage,
          avg_reply_time, negative_feedback_cnt, new_contact_cnt, group_chat_total, group_new_member_cnt, group_msg_total, pulled_at)
        values (${corp.tenantId}, ${corp.corpRef}, ${userid}, ${day}, ${r.chat_cnt ?? 0}, ${r.message_cnt ?? 0},
          ${r.reply_percentage ?? null}, ${r.avg_reply_time ?? null}, ${r.negative_feedback_cnt ?? 0}, ${r.new_contact_cnt ?? 0},
          ${r.group_chat_total ?? null}, ${r.group_new_member_cnt ?? null}, ${r.group_msg_total ?? null}, now())
        on conflict (tenant_id, corp_ref, userid, day) do update set chat_cnt = excluded.chat_cnt,
          message_cnt = excluded.message_cnt, reply_percentage = excluded.reply_percentage,
          avg_reply_time = excluded.avg_reply_time, negative_feedback_cnt = excluded.negative_feedback_cnt,
          new_contact_cnt = excluded.new_contact_cnt,
          group_chat_total = coalesce(excluded.group_chat_total, wecom_staff_daily.group_chat_total),
          group_new_member_cnt = coalesce(excluded.group_new_member_cnt, wecom_staff_daily.group_new_member_cnt),
          group_msg_total = coalesce(excluded.group_msg_total, wecom_staff_daily.group_msg_total), pulled_at = now()`.execute(
        tx,
      );
    }
  });
  return { staff: staff.length, days };
}

export async function activityJob(payload: ActivityJob, job: JobContext): Promise<void> {
  const database = databaseRef ?? ({ db: job.db } as Database);
  const corp = await job.tx((tx) => corpRuntime(tx, job.tenantId, payload.corpRef));
  await pullActivity(database, corp, payload.days ?? 2);
  if (payload.daily) await job.tx((tx) => ensureNightlyActivity(tx, job.tenantId, payload.corpRef));
}

/** Queues the next nightly pull (01:00 Asia/Shanghai, when yesterday is complete in WeCom), once per night. */
export async function ensureNightlyActivity(tx: Tx, tenantId: string, corpRef: string) {
  const next = new Date(Date.parse(`${cstDay(Date.now() + DAY)}T01:00:00+08:00`));
  await enqueue(
    tx,
    tenantId,
    ACTIVITY_QUEUE,
    { corpRef, days: 2, daily: true },
    { runAt: next, dedupeKey: `activity:${corpRef}:${cstDay(next.getTime())}`, maxAttempts: 3 },
  );
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function activityReport(
  database: Database,
  p: Principal,
  q: ActivityQuery,
): Promise<ActivityReport> {
  const days = q.days ?? 14;
  const to = cstDay(Date.now());
  const from = cstDay(Date.now() - (days - 1) * DAY);
  const scope = rowScope(p, 'lead');
  const staffFilter =
    scope.unitIds === null
      ? sql`true`
      : scope.ownerId
        ? sql`s.user_id = ${scope.ownerId}`
        : sql`(u.unit_id = any(${scope.unitIds}::uuid[]) or (s.user_id is null and c.unit_id = any(${scope.unitIds}::uuid[])))`;
  const rows = await inTenant(
    database.db,
    p.tenantId,
    async (tx) =>
      (
        await sql<any>`
          with staff as (
            select s.corp_ref, s.userid, s.name, s.user_id, u.unit_id, un.name as unit_name
            from wecom_staff s join wecom_corps c on c.tenant_id = s.tenant_id and c.id = s.corp_ref and c.deleted_at is null
            left join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
            left join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
            where s.tenant_id = ${p.tenantId} and ${staffFilter} ${q.corpRef ? sql`and s.corp_ref = ${q.corpRef}` : sql``}),
          ev as (
            select x.corp_ref, x.userid, to_char(x.added_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as day,
              'add' as kind, coalesce(k.state, '') as channel
            from wecom_external_contacts x left join wecom_channel_codes k on k.tenant_id = x.tenant_id and k.id = x.code_id
            where x.tenant_id = ${p.tenantId}
            union all
            select x.corp_ref, x.userid, to_char(x.lost_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD'), x.status, ''
            from wecom_external_contacts x where x.tenant_id = ${p.tenantId} and x.lost_at is not null and x.status in ('lost', 'deleted')),
          counts as (
            select corp_ref, userid, day,
              count(*) filter (where kind = 'add')::int as added,
              count(*) filter (where kind = 'lost')::int as deleted_by_customer,
              count(*) filter (where kind = 'deleted')::int as lost,
              coalesce(jsonb_object_agg(channel, n) filter (where kind = 'add'), '{}') as by_channel
            from (select corp_ref, userid, day, kind, channel, count(*) over (partition by corp_ref, userid, day, kind, channel)::int as n
                  from ev where day between ${from} and ${to}) e
            group by corp_ref, userid, day),
          keys as (
            select corp_ref, userid, day from counts
            union select corp_ref, userid, to_char(day, 'YYYY-MM-DD') from wecom_staff_daily
              where tenant_id = ${p.tenantId} and day between ${from}::date and ${to}::date)
          select st.*, k.day, coalesce(c.added, 0) as added, coalesce(c.deleted_by_customer, 0) as deleted_by_customer,
            coalesce(c.lost, 0) as lost, coalesce(c.by_channel, '{}') as by_channel,
            d.chat_cnt, d.message_cnt, d.reply_percentage, d.avg_reply_time, d.group_chat_total, d.group_new_member_cnt, d.group_msg_total
          from keys k join staff st on st.corp_ref = k.corp_ref and st.userid = k.userid
          left join counts c on c.corp_ref = k.corp_ref and c.userid = k.userid and c.day = k.day
          left join wecom_staff_daily d on d.tenant_id = ${p.tenantId} and d.corp_ref = k.corp_ref and d.userid = k.userid
            and d.day = k.day::date
          order by k.day, st.name`.execute(tx)
      ).rows,
    { readOnly: true },
  );
  const out: ActivityRow[] = rows.map((r) => ({
    corpRef: r.corp_ref,
    userid: r.userid,
    name: r.name,
    userId: r.user_id ?? null,
    unitId: r.unit_id ?? null,
    unitName: r.unit_name ?? null,
    day: r.day,
    added: r.added,
    deletedByCustomer: r.deleted_by_customer,
    lost: r.lost,
    byChannel: r.by_channel ?? {},
    chats: num(r.chat_cnt),
    messages: num(r.message_cnt),
    replyRate: num(r.reply_percentage),
    avgReplyMinutes: num(r.avg_reply_time),
    groupTotal: num(r.group_chat_total),
    groupNewMembers: num(r.group_new_member_cnt),
    groupMessages: num(r.group_msg_total),
  }));
  const teams = new Map<string, ActivityReport['teams'][number]>();
  for (const r of out) {
    const k = `${r.unitId ?? ''}|${r.day}`;
    const t = teams.get(k) ?? {
      unitId: r.unitId,
      unitName: r.unitName,
      day: r.day,
      added: 0,
      deletedByCustomer: 0,
      lost: 0,
      messages: 0,
    };
    t.added += r.added;
    t.deletedByCustomer += r.deletedByCustomer;
    t.lost += r.lost;
    t.messages += r.messages ?? 0;
    teams.set(k, t);
  }
  return { from, to, rows: out, teams: [...teams.values()] };
}

import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import type { TestEnv } from '../../testing/harness.ts';
import { cstDay } from './period.ts';

const DAY = 86_400_000;
/** An instant on a China calendar day at hh:mm Asia/Shanghai. */
export const at = (day: string, hhmm: string) => new Date(`${day}T${hhmm}:00+08:00`);

/**
 * A WeCom corp with four mapped staff and a known set of figures over two past days (d1, d2) in
 * every contributing table, written straight into the tables the sources read (the modules' own
 * tests cover how the rows get there). Returned: the days and the Kehu user ids by login.
 */
export async function seedStaffFigures(env: TestEnv, tenantId: string) {
  const d1 = cstDay(Date.now() - 2 * DAY);
  const d2 = cstDay(Date.now() - DAY);
  return inTenant(env.database.db, tenantId, async (tx) => {
    const users = new Map(
      (
        await sql<{ id: string; login: string; unit_id: string }>`select id, login, unit_id from users
          where tenant_id = ${tenantId}`.execute(tx)
      ).rows.map((u) => [u.login, u]),
    );
    const hq = (
      await sql<{ id: string }>`select id from units where tenant_id = ${tenantId} and depth = 0`.execute(tx)
    ).rows[0]!.id;
    const corp = newId();
    await sql`insert into wecom_corps (tenant_id, id, unit_id, name, corp_id, corp_key, contact_secret, callback_token, callback_aes_key)
      values (${tenantId}, ${corp}, ${hq}, '示例企业', ${`ww${corp.slice(0, 8)}`}, ${`k${corp}`}, 'x', 'x', 'x')`.execute(
      tx,
    );
    const staff = ['sun.lei', 'zhao.jing', 'ma.chao', 'guo.min'];
    for (const login of staff)
      await sql`insert into wecom_staff (tenant_id, corp_ref, userid, name, user_id)
        values (${tenantId}, ${corp}, ${login}, ${login}, ${users.get(login)!.id})`.execute(tx);
    const code = newId();
    await sql`insert into wecom_channel_codes (tenant_id, id, corp_ref, unit_id, name, state, channel, staff)
      values (${tenantId}, ${code}, ${corp}, ${hq}, '车展', 'expo', '车展', '["sun.lei"]')`.execute(tx);
    let n = 0;
    const contact = async (
      userid: string,
      added: Date,
      opts: { code?: string; lostAt?: Date; status?: string } = {},
    ) =>
      sql`insert into wecom_external_contacts (tenant_id, corp_ref, external_userid, userid, unit_id, name, code_id, status, added_at, lost_at)
        values (${tenantId}, ${corp}, ${`wm${n++}`}, ${userid}, ${users.get(userid)!.unit_id}, ${`客户${n}`},
          ${opts.code ?? null}, ${opts.status ?? 'active'}, ${added}, ${opts.lostAt ?? null})`.execute(tx);
    await contact('sun.lei', at(d1, '10:00'), { code });
    await contact('sun.lei', at(d1, '11:00'), { code, status: 'lost', lostAt: at(d2, '09:00') });
    await contact('sun.lei', at(d1, '12:00'));
    await contact('zhao.jing', at(d2, '10:00'), { code });
    for (let i = 0; i < 2; i++) await contact('ma.chao', at(d1, '10:00'));
    for (let i = 0; i < 5; i++) await contact('guo.min', at(d1, '10:00'));
    const daily = (userid: string, day: string, chats: number, pct: number, avg: number, groupNew: number) =>
      sql`insert into wecom_staff_daily (tenant_id, corp_ref, userid, day, chat_cnt, message_cnt, reply_percentage, avg_reply_time,
          group_new_member_cnt, group_msg_total)
        values (${tenantId}, ${corp}, ${userid}, ${day}, ${chats}, ${chats * 2}, ${pct}, ${avg}, ${groupNew}, 7)`.execute(
        tx,
      );
    await daily('sun.lei', d1, 4, 50, 6, 2);
    await daily('sun.lei', d2, 6, 100, 1, 0);
    const sun = users.get('sun.lei')!;
    let seq = 0;
    const msg = (ext: string, direction: 'in' | 'out', time: Date) =>
      sql`insert into chat_messages (tenant_id, corp_ref, msgid, seq, msgtime, msgtype, action, direction, staff_userid,
          external_userid, content, staff_user_id, unit_id, raw)
        values (${tenantId}, ${corp}, ${`m${++seq}`}, ${seq}, ${time}, 'text', 'send', ${direction}, 'sun.lei', ${ext},
          'hi', ${sun.id}, ${sun.unit_id}, '{}')`.execute(tx);
    await msg('wm0', 'in', at(d1, '10:00'));
    await msg('wm0', 'out', at(d1, '10:04'));
    await msg('wm2', 'in', at(d1, '11:00'));
    const share = newId();
    await sql`insert into material_shares (tenant_id, id, token, material_id, staff_id, customer_id, customer_name, created_at)
      values (${tenantId}, ${share}, ${`t${share}`}, ${newId()}, ${sun.id}, ${newId()}, '王先生', ${at(d1, '09:00')})`.execute(
      tx,
    );
    for (const [visitor, seconds] of [
      ['v1', 120],
      ['v2', 60],
    ] as const)
      await sql`insert into material_reads (tenant_id, id, share_id, material_id, visitor, seconds, opened_at)
        values (${tenantId}, ${newId()}, ${share}, ${newId()}, ${visitor}, ${seconds}, ${at(d1, '09:30')})`.execute(
        tx,
      );
    await sql`insert into material_leads (tenant_id, id, share_id, material_id, staff_id, phone, created_at)
      values (${tenantId}, ${newId()}, ${share}, ${newId()}, ${sun.id}, '13800000000', ${at(d1, '09:40')})`.execute(
      tx,
    );
    const rule = newId();
    for (const [day, status] of [
      [d1, 'done'],
      [d2, 'open'],
    ] as const)
      await sql`insert into sop_tasks (tenant_id, id, rule_id, step, kind, content, corp_ref, target, staff_userid, user_id, unit_id, due_at, status)
        values (${tenantId}, ${newId()}, ${rule}, 0, 'message', '欢迎', ${corp}, ${`wm-${day}`}, 'sun.lei', ${sun.id}, ${sun.unit_id},
          ${at(day, '10:00')}, ${status})`.execute(tx);
    const message = newId();
    await sql`insert into outreach_messages (tenant_id, id, corp_ref, chat_type, title, audience, status, unit_id, created_at)
      values (${tenantId}, ${message}, ${corp}, 'single', '周末活动', '{}', 'sent', ${hq}, ${at(d1, '08:00')})`.execute(
      tx,
    );
    await sql`insert into outreach_tasks (tenant_id, message_id, staff_userid, batch, status, recipients)
      values (${tenantId}, ${message}, 'sun.lei', 0, 'sent', 5), (${tenantId}, ${message}, 'zhao.jing', 0, 'pending', 3)`.execute(
      tx,
    );
    return {
      d1,
      d2,
      corp,
      ids: Object.fromEntries([...users].map(([k, v]) => [k, v.id])) as Record<string, string>,
    };
  });
}

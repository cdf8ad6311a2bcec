// The rest of the surface Kehu uses: staff behaviour statistics (computed from what happened in the
// simulator), 获客助手 links and quota, web login (auth/getuserinfo) and 群发 mass messages that staff
// confirm in their WeCom client.
import type { Handler } from './api-contacts.ts';
import { checkMessage } from './attachments.ts';
import { E, WeComError } from './errors.ts';
import type { AcquisitionLink, MsgTemplate, SimCorpState, SimWeChatUser } from './model.ts';

const DAY = 86_400_000;
const CST = 8 * 3_600_000;
const str = (v: unknown): v is string => typeof v === 'string';
const sec = (ms: number) => Math.floor(ms / 1000);
/** WeCom's statistics days start at 00:00 China time. */
export const dayStart = (ms: number) => Math.floor((ms + CST) / DAY) * DAY - CST;

function page<T>(items: T[], cursor: unknown, limit: number) {
  const start = cursor ? Number.parseInt(String(cursor), 36) : 0;
  return {
    items: items.slice(start, start + limit),
    next_cursor: start + limit < items.length ? (start + limit).toString(36) : '',
  };
}

function behaviour(corp: SimCorpState, users: Set<string>, from: number, to: number) {
  const facts = corp.facts.filter((f) => users.has(f.userid) && f.at >= from && f.at < to);
  let chat_cnt = 0;
  let message_cnt = 0;
  let asked = 0;
  let replied = 0;
  let replyTime = 0;
  for (const [key, msgs] of corp.chats) {
    if (!users.has(key.split('|')[0])) continue;
    const day = msgs.filter((m) => m.at >= from && m.at < to && m.from !== 'system');
    const staffMsgs = day.filter((m) => m.from === 'staff');
    if (staffMsgs.length) chat_cnt++;
    message_cnt += staffMsgs.length;
    const firstAsk = day.find((m) => m.from === 'customer');
    if (firstAsk) {
      asked++;
      const reply = day.find((m) => m.from === 'staff' && m.at >= firstAsk.at);
      if (reply) {
        replied++;
        replyTime += reply.at - firstAsk.at;
      }
    }
  }
  const adds = facts.filter((f) => f.kind === 'add').length;
  return {
    stat_time: sec(from),
    chat_cnt,
    message_cnt,
    reply_percentage: asked ? Math.round((replied / asked) * 10000) / 100 : 0,
    avg_reply_time: replied ? Math.round(replyTime / replied / 60_000) : 0,
    negative_feedback_cnt: facts.filter((f) => f.kind === 'customer_deleted').length,
    new_apply_cnt: adds,
    new_contact_cnt: adds,
  };
}

export function linkUrl(corp: SimCorpState, link_id: string) {
  return `${corp.ctx.baseUrl()}/_sim/ca/${link_id}`;
}

/** A WeChat user opens a 获客链接 (Kehu appends ?customer_channel=… which WeCom returns as State). */
export function openLink(corp: SimCorpState, link: AcquisitionLink, user: SimWeChatUser, channel?: string) {
  if (link.deleted) throw E.notFound('link');
  const q = corp.acquisition;
  if (q.balance <= 0) throw new WeComError(41099, 'customer acquisition quota exhausted');
  const candidates = link.user_list.filter((u) => corp.staff.get(u)?.status === 1);
  if (!candidates.length) throw E.invalidParam('no active staff on this link');
  const userid = candidates[link.customers.length % candidates.length];
  const added = corp.befriend(userid, user, { state: channel, add_way: 16 });
  const external_userid = corp.externalIdFor(user);
  link.customers.push({ external_userid, userid, chat_status: 0, state: channel });
  if (!added) return { external_userid, userid };
  q.balance--;
  corp.emit({
    Event: 'change_external_contact',
    ChangeType: 'add_external_contact',
    UserID: userid,
    ExternalUserID: external_userid,
    State: channel,
    WelcomeCode: added.welcomeCode,
  });
  if (q.balance <= q.lowThreshold && !q.lowNotified) {
    q.lowNotified = true;
    corp.emit({ Event: 'customer_acquisition', ChangeType: 'balance_low' });
  }
  if (q.balance === 0) corp.emit({ Event: 'customer_acquisition', ChangeType: 'balance_exhausted' });
  return { external_userid, userid };
}

function checkRange(corp: SimCorpState, range: any) {
  const user_list = Array.isArray(range?.user_list) ? range.user_list : [];
  const department_list = Array.isArray(range?.department_list) ? range.department_list.map(Number) : [];
  if (user_list.length + department_list.length === 0) throw E.invalidParam('range required');
  if (user_list.length > 500) throw E.invalidParam('at most 500 users');
  for (const u of user_list) corp.contactStaff(u);
  return { user_list, department_list };
}

function isFriend(corp: SimCorpState, external_userid: string, userid: string): boolean {
  const f = corp.contacts.get(external_userid)?.follows.get(userid);
  return !!f && !f.deletedByCustomer;
}

/** Staff confirm a mass message in their client: it lands in each target's chat. */
export function confirmMass(corp: SimCorpState, t: MsgTemplate, userid: string) {
  const task = t.tasks.get(userid);
  if (!task) throw new Error(`${userid} has no part in ${t.msgid}`);
  if (task.status === 2) return;
  if (t.cancelled) throw new Error(`${t.msgid} was cancelled`);
  task.status = 2;
  task.send_time = sec(corp.now());
  if (t.chat_type === 'group') {
    for (const chatId of task.targets) {
      const g = corp.groups.get(chatId);
      if (!g || g.dismissed) continue;
      const labels = (t.attachments as any[]).map((a) => `[${a?.msgtype ?? 'unknown'}]`);
      g.messages.push({ from: userid, at: corp.now(), text: [t.text ?? '', ...labels].join(' ').trim() });
    }
    return;
  }
  for (const ext of task.targets) {
    // A customer who deleted the staff member gets nothing (send result status 2).
    if (!isFriend(corp, ext, userid)) continue;
    const chat = corp.chatOf(userid, ext);
    if (t.text) chat.push({ from: 'staff', kind: 'text', text: t.text, at: corp.now() });
    for (const a of t.attachments as any[]) {
      const kind = String(a?.msgtype ?? 'unknown');
      chat.push({
        from: 'staff',
        kind,
        text: String(a?.[kind]?.title ?? kind),
        at: corp.now(),
        payload: a?.[kind],
      });
    }
  }
}

/** 群发到客户群: one task per group owner, the groups named (or all of the sender's). */
function groupMassMessage(corp: SimCorpState, body: any) {
  const text = body?.text?.content;
  const attachments = checkMessage(corp, text, body?.attachments);
  const sender: string | undefined = str(body?.sender) ? body.sender : undefined;
  if (sender) corp.contactStaff(sender);
  const named: unknown = body?.chat_id_list;
  if (!sender && !Array.isArray(named)) throw E.invalidParam('sender or chat_id_list required');
  const chats = Array.isArray(named)
    ? named.map(String)
    : [...corp.groups.values()].filter((g) => !g.dismissed && g.owner === sender).map((g) => g.chat_id);
  const tasks = new Map<string, { status: 0 | 2; targets: string[] }>();
  const fail_list: string[] = [];
  for (const id of chats) {
    const g = corp.groups.get(id);
    if (!g || g.dismissed || (sender && g.owner !== sender)) {
      fail_list.push(id);
      continue;
    }
    if (!tasks.has(g.owner)) tasks.set(g.owner, { status: 0, targets: [] });
    tasks.get(g.owner)!.targets.push(id);
  }
  const msgid = corp.ctx.id('msg', 24);
  corp.msgTemplates.set(msgid, {
    msgid,
    chat_type: 'group',
    sender,
    create_time: sec(corp.now()),
    text,
    attachments,
    tasks,
    creator: sender ?? '',
    create_type: 0,
  });
  return { fail_list, msgid };
}

export const miscHandlers: Record<string, Handler> = {
  'externalcontact/get_user_behavior_data': ({ corp, body }) => {
    const userids: string[] = Array.isArray(body?.userid) ? body.userid : [];
    const parties: number[] = Array.isArray(body?.partyid) ? body.partyid.map(Number) : [];
    if (userids.length + parties.length === 0) throw E.invalidParam('userid or partyid required');
    const from = dayStart(Number(body.start_time) * 1000);
    const to = dayStart(Number(body.end_time) * 1000) + DAY;
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from)
      throw E.invalidParam('start_time/end_time');
    if (to - from > 30 * DAY) throw E.invalidParam('the range may span at most 30 days');
    if (from < dayStart(corp.now()) - 180 * DAY) throw E.invalidParam('at most 180 days back');
    const users = new Set(userids);
    for (const u of userids) if (!corp.staff.has(u)) throw E.noUser(u);
    for (const s of corp.staff.values())
      if (s.department.some((d) => parties.includes(d))) users.add(s.userid);
    const behavior_data = [];
    for (let d = from; d < to; d += DAY) behavior_data.push(behaviour(corp, users, d, d + DAY));
    return { behavior_data };
  },

  // ---- 获客助手 ----
  'externalcontact/customer_acquisition/create_link': ({ corp, body }) => {
    if (!str(body?.link_name) || !body.link_name.trim() || [...body.link_name].length > 30)
      throw E.invalidParam('link_name must be 1..30 characters');
    const link_id = corp.ctx.id('cawcde', 24, 'abcdef0123456789');
    const link: AcquisitionLink = {
      link_id,
      link_name: body.link_name,
      url: linkUrl(corp, link_id),
      create_time: sec(corp.now()),
      skip_verify: body.skip_verify !== false,
      ...checkRange(corp, body.range),
      deleted: false,
      customers: [],
    };
    corp.links.set(link_id, link);
    return { link: { link_id, link_name: link.link_name, url: link.url, create_time: link.create_time } };
  },
  'externalcontact/customer_acquisition/list_link': ({ corp, body }) => {
    const limit = Number(body?.limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw E.invalidParam('limit must be 1..100');
    const p = page(
      [...corp.links.values()].filter((l) => !l.deleted),
      body?.cursor,
      limit,
    );
    return { link_id_list: p.items.map((l) => l.link_id), next_cursor: p.next_cursor };
  },
  'externalcontact/customer_acquisition/get': ({ corp, body }) => {
    const l = corp.links.get(body?.link_id);
    if (!l || l.deleted) throw E.notFound('link_id');
    return {
      link: { link_name: l.link_name, url: l.url, create_time: l.create_time, skip_verify: l.skip_verify },
      range: { user_list: l.user_list, department_list: l.department_list },
    };
  },
  'externalcontact/customer_acquisition/update_link': ({ corp, body }) => {
    const l = corp.links.get(body?.link_id);
    if (!l || l.deleted) throw E.notFound('link_id');
    if (body.link_name !== undefined) {
      if (!str(body.link_name) || [...body.link_name].length > 30) throw E.invalidParam('link_name');
      l.link_name = body.link_name;
    }
    if (body.range !== undefined) Object.assign(l, checkRange(corp, body.range));
    if (body.skip_verify !== undefined) l.skip_verify = body.skip_verify !== false;
    return {};
  },
  'externalcontact/customer_acquisition/delete_link': ({ corp, body }) => {
    const l = corp.links.get(body?.link_id);
    if (!l || l.deleted) throw E.notFound('link_id');
    l.deleted = true;
    return {};
  },
  'externalcontact/customer_acquisition/customer': ({ corp, body }) => {
    const l = corp.links.get(body?.link_id);
    if (!l) throw E.notFound('link_id');
    const limit = Number(body?.limit ?? 1000);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw E.invalidParam('limit must be 1..1000');
    const p = page(l.customers, body?.cursor, limit);
    return { customer_list: p.items, next_cursor: p.next_cursor };
  },
  'externalcontact/customer_acquisition_quota': ({ corp }) => ({
    total: corp.acquisition.total,
    balance: corp.acquisition.balance,
    quota_list: [{ expire_date: sec(dayStart(corp.now()) + 365 * DAY), balance: corp.acquisition.balance }],
  }),
  'externalcontact/customer_acquisition/statistic': ({ corp, body }) => {
    const l = corp.links.get(body?.link_id);
    if (!l) throw E.notFound('link_id');
    return {
      click_link_customer_cnt: l.customers.length,
      new_customer_cnt: new Set(l.customers.map((c) => c.external_userid)).size,
    };
  },

  // ---- web login ----
  'auth/getuserinfo': ({ corp, query, kind }) => {
    if (kind !== 'app') throw E.forbidden('api forbidden: web login needs the app (agent) access_token');
    const c = corp.ctx.oauthCodes.get(query.code);
    if (!c || c.corpId !== corp.corpId || c.used || c.expiresAt < corp.now()) throw E.invalidCode();
    c.used = true;
    return { userid: c.userid };
  },

  // ---- 群发 ----
  'externalcontact/add_msg_template': ({ corp, body }) => {
    const chat_type = body?.chat_type ?? 'single';
    if (chat_type !== 'single' && chat_type !== 'group')
      throw E.invalidParam('chat_type must be single or group');
    if (chat_type === 'group') return groupMassMessage(corp, body);
    const text = body?.text?.content;
    const attachments = checkMessage(corp, text, body?.attachments);
    const wanted: string[] | undefined = Array.isArray(body?.external_userid)
      ? body.external_userid
      : undefined;
    if (wanted && wanted.length > 10_000) throw E.invalidParam('at most 10000 external_userid');
    const sender: string | undefined = str(body?.sender) ? body.sender : undefined;
    if (sender) corp.contactStaff(sender);
    if (!wanted && !sender) throw E.invalidParam('external_userid or sender required');
    const tasks = new Map<string, { status: 0 | 2; targets: string[] }>();
    const fail_list: string[] = [];
    const ids =
      wanted ??
      [...corp.contacts.values()].filter((c) => c.follows.has(sender!)).map((c) => c.external_userid);
    for (const id of ids) {
      const c = corp.contacts.get(id);
      const staff = c ? [...c.follows.keys()].filter((u) => !sender || u === sender) : [];
      if (staff.length === 0) {
        fail_list.push(id);
        continue;
      }
      // WeCom lets one follower send: the earliest one (or the named sender).
      const u = staff[0];
      if (!tasks.has(u)) tasks.set(u, { status: 0, targets: [] });
      tasks.get(u)!.targets.push(id);
    }
    const msgid = corp.ctx.id('msg', 24);
    corp.msgTemplates.set(msgid, {
      msgid,
      chat_type: 'single',
      sender,
      create_time: sec(corp.now()),
      text,
      attachments,
      tasks,
      creator: sender ?? '',
      create_type: 0,
    });
    return { fail_list, msgid };
  },
  'externalcontact/get_groupmsg_list_v2': ({ corp, body }) => {
    const from = Number(body?.start_time) * 1000;
    const to = Number(body?.end_time) * 1000;
    if (!Number.isFinite(from) || !Number.isFinite(to) || to < from)
      throw E.invalidParam('start_time/end_time');
    const list = [...corp.msgTemplates.values()].filter(
      (m) => m.create_time * 1000 >= from && m.create_time * 1000 <= to,
    );
    const p = page(list, body?.cursor, Math.min(Number(body?.limit ?? 50), 100));
    return {
      group_msg_list: p.items.map((m) => ({
        msgid: m.msgid,
        creator: m.creator,
        create_type: m.create_type,
        ...(m.text ? { text: { content: m.text } } : {}),
        attachments: m.attachments,
        create_time: String(m.create_time),
      })),
      next_cursor: p.next_cursor,
    };
  },
  'externalcontact/get_groupmsg_task': ({ corp, body }) => {
    const m = corp.msgTemplates.get(body?.msgid);
    if (!m) throw E.notFound('msgid');
    const p = page([...m.tasks.entries()], body?.cursor, Math.min(Number(body?.limit ?? 500), 1000));
    return {
      task_list: p.items.map(([userid, t]) => ({
        userid,
        status: t.status,
        ...(t.send_time ? { send_time: t.send_time } : {}),
      })),
      next_cursor: p.next_cursor,
    };
  },
  'externalcontact/get_groupmsg_send_result': ({ corp, body }) => {
    const m = corp.msgTemplates.get(body?.msgid);
    if (!m) throw E.notFound('msgid');
    const t = m.tasks.get(body?.userid);
    if (!t) throw E.noUser(String(body?.userid));
    const sent = (t.send_time ? { send_time: t.send_time } : {}) as { send_time?: number };
    const rows: Array<Record<string, unknown>> =
      m.chat_type === 'group'
        ? t.targets.map((chat_id) => ({
            chat_id,
            userid: body.userid,
            status: t.status === 2 ? 1 : 0,
            ...sent,
          }))
        : t.targets.map((ext) => ({
            external_userid: ext,
            userid: body.userid,
            status: t.status === 2 ? (isFriend(corp, ext, body.userid) ? 1 : 2) : 0,
            ...sent,
          }));
    const p = page(rows, body?.cursor, Math.min(Number(body?.limit ?? 500), 1000));
    return { send_list: p.items, next_cursor: p.next_cursor };
  },
};

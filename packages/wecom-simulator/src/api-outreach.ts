// 群发 follow-ups an app may call on a mass message it created (WeCom 客户联系 → 消息推送):
// cancel_groupmsg_send stops the parts staff have not sent yet; remind_groupmsg_send nudges them
// (WeCom allows three reminders per message in 24 hours).
import type { Handler } from './api-contacts.ts';
import { E } from './errors.ts';

const DAY = 86_400_000;

export const outreachHandlers: Record<string, Handler> = {
  'externalcontact/cancel_groupmsg_send': ({ corp, body }) => {
    const m = corp.msgTemplates.get(body?.msgid);
    if (!m) throw E.notFound('msgid');
    m.cancelled = true;
    return {};
  },
  'externalcontact/remind_groupmsg_send': ({ corp, body }) => {
    const m = corp.msgTemplates.get(body?.msgid);
    if (!m) throw E.notFound('msgid');
    if (m.cancelled) throw E.invalidParam('mass message cancelled');
    const now = corp.now();
    m.reminders = (m.reminders ?? []).filter((t) => t > now - DAY);
    if (m.reminders.length >= 3) throw E.invalidParam('at most 3 reminders in 24 hours');
    m.reminders.push(now);
    return {};
  },
};

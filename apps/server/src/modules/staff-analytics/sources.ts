import { chatFiguresByStaff } from '../chats/index.ts';
import { fissionFiguresByStaff } from '../fission/index.ts';
import { materialFiguresByStaff } from '../materials/index.ts';
import { outreachFiguresByStaff } from '../outreach/index.ts';
import { wecomFiguresByStaff } from '../wecom/index.ts';
import type { StaffDayRow, StaffFigureSource } from './figure-sources.ts';

const L = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });
const rows = <T extends { staffUserId: string; day: string }>(
  load: (...a: any[]) => Promise<T[]>,
): StaffFigureSource['load'] => load as unknown as StaffFigureSource['load'];

/**
 * The figure sets this module wires itself (the modules it requires export their loaders). A
 * module written later contributes its own to the `staff-figures` point from its manifest, e.g.
 * fission: `{ point: 'staff-figures', value: fissionStaffFigures }` — see README.md.
 */
export const wecomSource: StaffFigureSource = {
  key: 'wecom',
  order: 10,
  metrics: [
    { key: 'added', label: L('新增客户', 'Customers added'), kind: 'count', headline: true },
    {
      key: 'deletedByCustomer',
      label: L('被客户删除', 'Deleted by customer'),
      kind: 'count',
      headline: true,
    },
    { key: 'lost', label: L('员工删除', 'Removed by staff'), kind: 'count' },
    { key: 'chats', label: L('聊天数', 'Chats'), kind: 'count', headline: true },
    { key: 'messages', label: L('发送消息数', 'Messages sent'), kind: 'count' },
    {
      key: 'replyPctWeighted',
      label: L('回复率·加权', 'Reply rate · weighted'),
      kind: 'count',
      hidden: true,
    },
    { key: 'replyPctChats', label: L('回复率·聊天数', 'Reply rate · chats'), kind: 'count', hidden: true },
    {
      key: 'wecomReplyRate',
      label: L('企微回复率', 'WeCom reply rate'),
      kind: 'percent',
      ratio: { num: 'replyPctWeighted', den: 'replyPctChats' },
    },
    {
      key: 'avgReplyWeighted',
      label: L('平均回复·加权', 'Avg reply · weighted'),
      kind: 'count',
      hidden: true,
    },
    { key: 'avgReplyChats', label: L('平均回复·聊天数', 'Avg reply · chats'), kind: 'count', hidden: true },
    {
      key: 'wecomAvgReplyMinutes',
      label: L('企微平均回复时长', 'WeCom average reply time'),
      kind: 'minutes',
      ratio: { num: 'avgReplyWeighted', den: 'avgReplyChats' },
    },
    {
      key: 'groupNewMembers',
      label: L('客户群新增人数', 'New group members'),
      kind: 'count',
      headline: true,
    },
    { key: 'groupMessages', label: L('客户群消息数', 'Group messages'), kind: 'count' },
  ],
  load: rows(wecomFiguresByStaff),
};

export const chatsSource: StaffFigureSource = {
  key: 'chats',
  order: 20,
  metrics: [
    { key: 'asked', label: L('客户发起会话', 'Conversations opened by customers'), kind: 'count' },
    { key: 'replied', label: L('已回复会话', 'Conversations answered'), kind: 'count' },
    {
      key: 'replyMinutes',
      label: L('首次回复·分钟合计', 'First reply · minutes'),
      kind: 'count',
      hidden: true,
    },
    {
      key: 'replyRate',
      label: L('回复率', 'Reply rate'),
      kind: 'percent',
      headline: true,
      ratio: { num: 'replied', den: 'asked', factor: 100 },
    },
    {
      key: 'firstReplyMinutes',
      label: L('平均首次回复时长', 'Average first-reply time'),
      kind: 'minutes',
      headline: true,
      ratio: { num: 'replyMinutes', den: 'replied' },
    },
  ],
  load: rows(chatFiguresByStaff),
};

export const materialsSource: StaffFigureSource = {
  key: 'materials',
  order: 30,
  metrics: [
    { key: 'materialsSent', label: L('素材发送', 'Materials sent'), kind: 'count', headline: true },
    { key: 'materialOpens', label: L('素材打开', 'Material opens'), kind: 'count', headline: true },
    { key: 'readSeconds', label: L('阅读秒数合计', 'Read seconds'), kind: 'count', hidden: true },
    {
      key: 'avgReadSeconds',
      label: L('平均阅读时长', 'Average read time'),
      kind: 'seconds',
      ratio: { num: 'readSeconds', den: 'materialOpens' },
    },
    { key: 'materialLeads', label: L('素材带来的线索', 'Leads from materials'), kind: 'count' },
  ],
  load: async (tx, p, range) =>
    (await materialFiguresByStaff(tx, p, range)).map(
      (r): StaffDayRow => ({
        staffUserId: r.staffUserId,
        day: r.day,
        materialsSent: r.sent,
        materialOpens: r.opens,
        readSeconds: r.readSeconds,
        materialLeads: r.leads,
      }),
    ),
};

export const outreachSource: StaffFigureSource = {
  key: 'outreach',
  order: 40,
  metrics: [
    { key: 'sopDue', label: L('SOP 到期任务', 'SOP tasks due'), kind: 'count' },
    { key: 'sopDone', label: L('SOP 已完成', 'SOP tasks done'), kind: 'count' },
    { key: 'sopOverdue', label: L('SOP 已逾期', 'SOP tasks overdue'), kind: 'count', headline: true },
    {
      key: 'sopCompletion',
      label: L('SOP 完成率', 'SOP completion'),
      kind: 'percent',
      headline: true,
      ratio: { num: 'sopDone', den: 'sopDue', factor: 100 },
    },
    { key: 'massTasks', label: L('群发任务', 'Mass-message tasks'), kind: 'count' },
    { key: 'massSent', label: L('群发已确认发送', 'Mass messages confirmed'), kind: 'count', headline: true },
    { key: 'massRecipients', label: L('群发触达客户', 'Customers reached'), kind: 'count' },
  ],
  load: rows(outreachFiguresByStaff),
};

export const fissionSource: StaffFigureSource = {
  key: 'fission',
  order: 50,
  metrics: [
    {
      key: 'fissionParticipants',
      label: L('裂变参与人数', 'Fission participants'),
      kind: 'count',
      headline: true,
    },
    {
      key: 'fissionNewCustomers',
      label: L('裂变新客户', 'New customers from fission'),
      kind: 'count',
      headline: true,
    },
  ],
  load: async (tx, p, range) =>
    (await fissionFiguresByStaff(tx, p, range)).map((r) => ({
      staffUserId: r.staffUserId,
      day: r.day,
      fissionParticipants: r.participants,
      fissionNewCustomers: r.newCustomers,
    })),
};

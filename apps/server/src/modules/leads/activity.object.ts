import { field, type ObjectDef, option, systemFields } from '../../engine/records/object-def.ts';

export const ACTIVITY_TYPES = ['call', 'visit', 'wecom', 'email', 'meeting', 'task', 'note'] as const;
/** Activities that count as a first response to a lead: a real conversation, not a note. */
export const RESPONSE_TYPES = new Set(['call', 'visit', 'wecom']);
export const CALL_OUTCOMES = ['connected', 'no_answer', 'invalid_number', 'refused'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * Whether an activity is a first response: a visit or WeCom chat always is; a call only when
 * it got through. A call logged without an outcome (API clients from before outcomes existed)
 * keeps counting as a conversation.
 */
export function isResponse(type: unknown, outcome: unknown): boolean {
  if (!RESPONSE_TYPES.has(String(type))) return false;
  if (type !== 'call') return true;
  return outcome === null || outcome === undefined || outcome === 'connected';
}

/**
 * R3.4/R4.1: follow-ups on leads, customers, contacts and opportunities. Logging a call, visit
 * or WeCom chat on a lead stops its first-response clock; a task with `dueAt` becomes a
 * reminder. On conversion the lead's activities get the customer, so the customer timeline
 * keeps the whole history.
 */
export const activityObject: ObjectDef = {
  apiName: 'activity',
  label: { 'zh-CN': '跟进记录', 'en-US': 'Activity' },
  pluralLabel: { 'zh-CN': '跟进记录', 'en-US': 'Activities' },
  icon: 'schedule',
  isCustom: false,
  table: 'activities',
  jsonColumn: 'custom',
  nameField: 'subject',
  fields: [
    ...systemFields(),
    field('type', 'picklist', '类型', 'Type', {
      column: 'type',
      required: true,
      defaultValue: 'note',
      options: [
        option('call', '电话', 'Call', 'blue'),
        option('visit', '拜访', 'Visit', 'green'),
        option('wecom', '企业微信', 'WeCom', 'cyan'),
        option('email', '邮件', 'Email'),
        option('meeting', '会议', 'Meeting', 'purple'),
        option('task', '待办', 'Task', 'orange'),
        option('note', '备注', 'Note'),
      ],
    }),
    field('outcome', 'picklist', '通话结果', 'Call outcome', {
      column: 'outcome',
      options: [
        option('connected', '接通', 'Connected', 'green'),
        option('no_answer', '未接通', 'No answer', 'orange'),
        option('invalid_number', '空号', 'Invalid number', 'red'),
        option('refused', '拒接', 'Refused', 'volcano'),
      ],
    }),
    field('subject', 'text', '主题', 'Subject', { column: 'subject', validation: { maxLength: 200 } }),
    field('content', 'longtext', '内容', 'Content', { column: 'content' }),
    field('occurredAt', 'datetime', '发生时间', 'When', { column: 'occurred_at' }),
    field('dueAt', 'datetime', '提醒时间', 'Due', { column: 'due_at' }),
    field('status', 'picklist', '状态', 'Status', {
      column: 'status',
      options: [option('open', '待办', 'Open', 'orange'), option('done', '已完成', 'Done', 'green')],
    }),
    field('durationMinutes', 'number', '时长（分钟）', 'Duration (min)', {
      column: 'duration_minutes',
      validation: { min: 0, max: 100000 },
    }),
    field('leadId', 'lookup', '线索', 'Lead', { column: 'lead_id', lookupObject: 'lead' }),
    field('customerId', 'lookup', '客户', 'Customer', { column: 'customer_id', lookupObject: 'customer' }),
    field('contactId', 'lookup', '联系人', 'Contact', { column: 'contact_id', lookupObject: 'contact' }),
    field('opportunityId', 'text', '商机', 'Opportunity', { column: 'opportunity_id' }),
  ],
  layout: {
    sections: [
      {
        key: 'basic',
        label: { 'zh-CN': '跟进内容', 'en-US': 'Activity' },
        fields: ['type', 'outcome', 'subject', 'content', 'occurredAt', 'durationMinutes', 'dueAt', 'status'],
      },
      {
        key: 'related',
        label: { 'zh-CN': '关联', 'en-US': 'Related to' },
        fields: ['leadId', 'customerId', 'contactId', 'opportunityId'],
      },
      {
        key: 'system',
        label: { 'zh-CN': '系统信息', 'en-US': 'System' },
        fields: ['ownerId', 'unitId', 'createdAt', 'createdBy'],
      },
    ],
  },
  listColumns: ['type', 'outcome', 'subject', 'occurredAt', 'leadId', 'customerId', 'ownerId', 'createdAt'],
  relatedLists: [],
};

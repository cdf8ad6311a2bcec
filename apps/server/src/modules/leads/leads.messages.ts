import type { Label, Locale } from '../../core/i18n/locale.ts';
import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** The leads module's own problem and notification texts (zh-CN first, en-US). */
const zh: Record<string, string> = {
  transition: '线索状态不能从「{from}」变为「{to}」',
  reason_required: '将线索标为无效时必须填写原因',
  not_open: '线索当前为「{status}」，不能执行此操作',
  owned_by: '该线索已由 {owner} 领取，不能重复领取',
  claim_limit_day: '今天已领取 {count} 条线索，达到每日上限 {limit} 条',
  claim_limit_held: '你手上已有 {count} 条未结线索，达到上限 {limit} 条',
  duplicate_owned: '撞单提醒：该客户已由 {owner} 负责（{object}「{name}」），请联系对方或关联现有客户',
  not_pooled: '该线索不在公海中',
  return_reason: '退回公海时必须填写原因',
  customer_required: '请选择已有客户或填写新客户信息',
  opportunity_unavailable: '商机模块尚未启用，无法同时创建商机',
  form_disabled: '表单不存在或已停用',
  channel_unknown: '渠道码「{state}」不存在或已停用',
  merge_self: '不能与自身合并',
  status_label_new: '新线索',
  status_label_contacted: '已联系',
  status_label_qualified: '已确认',
  status_label_converted: '已转化',
  status_label_disqualified: '无效',
  status_label_pooled: '公海',
  object_lead: '线索',
  object_customer: '客户',
};
const en: Record<string, string> = {
  transition: 'A lead cannot go from “{from}” to “{to}”',
  reason_required: 'A reason is required to disqualify a lead',
  not_open: 'The lead is “{status}”; this action is not possible',
  owned_by: '{owner} has already claimed this lead',
  claim_limit_day: 'You claimed {count} leads today; the daily limit is {limit}',
  claim_limit_held: 'You hold {count} open leads; the limit is {limit}',
  duplicate_owned:
    'Possible double chase: {owner} already owns this prospect ({object} “{name}”). Contact them or link the existing customer',
  not_pooled: 'This lead is not in a pool',
  return_reason: 'A reason is required to return a lead to the pool',
  customer_required: 'Choose an existing customer or enter a new one',
  opportunity_unavailable: 'Opportunities are not available yet; convert without one',
  form_disabled: 'This form does not exist or is disabled',
  channel_unknown: 'Channel code “{state}” does not exist or is disabled',
  merge_self: 'A lead cannot be merged into itself',
  status_label_new: 'New',
  status_label_contacted: 'Contacted',
  status_label_qualified: 'Qualified',
  status_label_converted: 'Converted',
  status_label_disqualified: 'Disqualified',
  status_label_pooled: 'In pool',
  object_lead: 'lead',
  object_customer: 'customer',
};

export const { text: lt, problem: leadsProblem } = moduleMessages(zh, en);

export const label = (key: string, params: Record<string, unknown> = {}): Label => ({
  'zh-CN': lt('zh-CN', key, params),
  'en-US': lt('en-US', key, params),
});

export const statusName = (locale: Locale, s: string) => lt(locale, `status_label_${s}`);

import type { LeadStatus } from '@kehu/contracts/leads';
import { field, type ObjectDef, option, pii, systemFields } from '../../engine/records/object-def.ts';
import { INDUSTRY_OPTIONS } from '../crm/index.ts';

export const CHANNEL_OPTIONS = [
  option('web_form', '官网表单', 'Web form'),
  option('ad', '广告投放', 'Ads'),
  option('wecom', '企业微信活码', 'WeCom code'),
  option('exhibition', '展会活动', 'Exhibition'),
  option('call_center', '呼叫中心', 'Call center'),
  option('referral', '转介绍', 'Referral'),
  option('import', '批量导入', 'Import'),
  option('api', '接口', 'API'),
  option('walk_in', '到店', 'Walk-in'),
  option('other', '其他', 'Other'),
];

export const OPEN_STATUSES: LeadStatus[] = ['new', 'contacted', 'qualified'];

export const STATUS_OPTIONS = [
  option('new', '新线索', 'New', 'blue'),
  option('contacted', '已联系', 'Contacted', 'cyan'),
  option('qualified', '已确认', 'Qualified', 'green'),
  option('converted', '已转化', 'Converted', 'purple'),
  option('disqualified', '无效', 'Disqualified', 'default'),
  option('pooled', '公海', 'In pool', 'orange'),
];

/**
 * R3: a lead is a prospect not yet qualified into a customer. Status, score, SLA and pool
 * fields are read-only over the generic API: they change only through the leads services
 * (guarded transitions with audit and events); intake hooks fill them on create.
 */
export const leadObject: ObjectDef = {
  apiName: 'lead',
  label: { 'zh-CN': '线索', 'en-US': 'Lead' },
  pluralLabel: { 'zh-CN': '线索', 'en-US': 'Leads' },
  icon: 'aim',
  isCustom: false,
  table: 'leads',
  jsonColumn: 'custom',
  nameField: 'name',
  fields: [
    ...systemFields(),
    field('name', 'text', '姓名', 'Name', {
      required: true,
      column: 'name',
      validation: { maxLength: 100 },
      ...pii('name', 'internal'),
    }),
    field('company', 'text', '公司', 'Company', { column: 'company', validation: { maxLength: 200 } }),
    field('phone', 'phone', '手机', 'Mobile', { column: 'phone', ...pii('phone') }),
    field('email', 'email', '邮箱', 'Email', { column: 'email', ...pii('email') }),
    field('title', 'text', '职务', 'Title', { column: 'title', validation: { maxLength: 100 } }),
    field('region', 'region', '地区', 'Region', { column: 'region' }),
    field('industry', 'picklist', '行业', 'Industry', { column: 'industry', options: INDUSTRY_OPTIONS }),
    field('channel', 'picklist', '渠道', 'Channel', { column: 'channel', options: CHANNEL_OPTIONS }),
    field('campaign', 'text', '活动', 'Campaign', { column: 'campaign', validation: { maxLength: 100 } }),
    field('product', 'text', '意向产品', 'Product of interest', {
      column: 'product',
      validation: { maxLength: 100 },
    }),
    field('need', 'picklist', '需求明确度', 'Need', {
      column: 'need',
      options: [
        option('urgent', '急需', 'Urgent'),
        option('clear', '明确', 'Clear'),
        option('vague', '模糊', 'Vague'),
        option('none', '暂无', 'None'),
      ],
    }),
    field('budget', 'currency', '预算', 'Budget', { column: 'budget' }),
    field('companySize', 'picklist', '公司规模', 'Company size', {
      column: 'company_size',
      options: [
        option('micro', '1–9 人', '1–9'),
        option('small', '10–99 人', '10–99'),
        option('medium', '100–499 人', '100–499'),
        option('large', '500–1999 人', '500–1,999'),
        option('enterprise', '2000 人以上', '2,000+'),
      ],
    }),
    field('decisionChain', 'picklist', '决策链', 'Decision chain', {
      column: 'decision_chain',
      options: [
        option('simple', '单人决策', 'Single decider'),
        option('moderate', '2–3 人', '2–3 people'),
        option('complex', '多部门', 'Committee'),
      ],
    }),
    field('status', 'picklist', '状态', 'Status', {
      column: 'status',
      readOnly: true,
      required: true,
      defaultValue: 'new',
      options: STATUS_OPTIONS,
    }),
    field('statusReason', 'text', '状态原因', 'Status reason', { column: 'status_reason', readOnly: true }),
    field('score', 'number', '评分', 'Score', { column: 'score', readOnly: true }),
    field('scoreReasons', 'json', '评分依据', 'Score reasons', { column: 'score_reasons', readOnly: true }),
    field('scoreSource', 'text', '评分方式', 'Scored by', { column: 'score_source', readOnly: true }),
    field('firstResponseDueAt', 'datetime', '首次响应截止', 'First response due', {
      column: 'first_response_due_at',
      readOnly: true,
    }),
    field('firstRespondedAt', 'datetime', '首次响应时间', 'First responded', {
      column: 'first_responded_at',
      readOnly: true,
    }),
    field('slaBreached', 'boolean', '响应超时', 'SLA breached', { column: 'sla_breached', readOnly: true }),
    field('lastActivityAt', 'datetime', '最近跟进', 'Last follow-up', {
      column: 'last_activity_at',
      readOnly: true,
    }),
    field('poolId', 'unit', '所在公海', 'Pool', { column: 'pool_id', readOnly: true }),
    field('pooledAt', 'datetime', '进入公海时间', 'Pooled at', { column: 'pooled_at', readOnly: true }),
    field('duplicateOfId', 'text', '疑似重复', 'Possible duplicate of', {
      column: 'duplicate_of_id',
      readOnly: true,
    }),
    field('duplicateOfObject', 'text', '重复对象', 'Duplicate object', {
      column: 'duplicate_of_object',
      readOnly: true,
    }),
    field('convertedCustomerId', 'lookup', '转化客户', 'Converted customer', {
      column: 'converted_customer_id',
      lookupObject: 'customer',
      readOnly: true,
    }),
    field('convertedContactId', 'lookup', '转化联系人', 'Converted contact', {
      column: 'converted_contact_id',
      lookupObject: 'contact',
      readOnly: true,
    }),
    field('convertedOpportunityId', 'text', '转化商机', 'Converted opportunity', {
      column: 'converted_opportunity_id',
      readOnly: true,
    }),
    field('convertedAt', 'datetime', '转化时间', 'Converted at', { column: 'converted_at', readOnly: true }),
    field('tags', 'multipicklist', '标签', 'Tags', {
      column: 'tags',
      options: [
        option('hot', '高意向', 'Hot'),
        option('vip', 'VIP', 'VIP'),
        option('event', '活动', 'Event'),
        option('trial', '试驾', 'Test drive'),
        option('fleet', '团购', 'Fleet'),
        option('follow_up', '待回访', 'Follow up'),
      ],
    }),
    field('remark', 'longtext', '备注', 'Notes', { column: 'remark' }),
  ],
  layout: {
    sections: [
      {
        key: 'basic',
        label: { 'zh-CN': '基本信息', 'en-US': 'Basics' },
        fields: ['name', 'company', 'title', 'phone', 'email', 'region', 'industry'],
      },
      {
        key: 'source',
        label: { 'zh-CN': '来源与资质', 'en-US': 'Source and qualification' },
        fields: [
          'channel',
          'campaign',
          'product',
          'need',
          'budget',
          'companySize',
          'decisionChain',
          'tags',
          'remark',
        ],
      },
      {
        key: 'status',
        label: { 'zh-CN': '状态与评分', 'en-US': 'Status and score' },
        fields: [
          'status',
          'statusReason',
          'score',
          'firstResponseDueAt',
          'firstRespondedAt',
          'slaBreached',
          'lastActivityAt',
          'pooledAt',
          'convertedCustomerId',
          'convertedContactId',
          'convertedAt',
        ],
      },
      {
        key: 'system',
        label: { 'zh-CN': '系统信息', 'en-US': 'System' },
        fields: ['ownerId', 'unitId', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy'],
      },
    ],
  },
  listColumns: ['name', 'company', 'phone', 'channel', 'status', 'score', 'ownerId', 'createdAt'],
  relatedLists: [
    { object: 'activity', field: 'leadId', label: { 'zh-CN': '跟进记录', 'en-US': 'Activities' } },
  ],
};

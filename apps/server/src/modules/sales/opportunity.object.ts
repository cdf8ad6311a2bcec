import { field, type ObjectDef, option, systemFields } from '../../engine/records/object-def.ts';

/** Default pipeline stage keys; a tenant's pipelines may define others (see pipeline.service.ts). */
export const DEFAULT_STAGE_OPTIONS = [
  option('discovery', '需求挖掘', 'Discovery', 'blue'),
  option('solution', '方案定制', 'Solution design', 'cyan'),
  option('trust', '信任构建', 'Trust building', 'geekblue'),
  option('closing', '促成签约', 'Closing', 'purple'),
  option('won', '赢单', 'Won', 'green'),
  option('lost', '输单', 'Lost', 'red'),
];

export const LOST_REASON_OPTIONS = [
  option('price', '价格因素', 'Price'),
  option('competitor', '竞争对手', 'Lost to competitor'),
  option('no_budget', '预算不足', 'No budget'),
  option('no_decision', '客户无决策', 'No decision'),
  option('product_fit', '产品不匹配', 'Product fit'),
  option('timing', '时机不成熟', 'Timing'),
  option('relationship', '关系不到位', 'Relationship'),
  option('other', '其他', 'Other'),
];

/**
 * R4.1/R4.2: an opportunity moves through its pipeline's stages. `stage`, `probability`,
 * `closedAt` and `lostReason` are read-only over the generic API: they change only through the
 * stage service (SOP checks, audit, `opportunity.stage_changed`). Lead conversion creates
 * opportunities with `trusted: true`; a beforeWrite hook fills pipeline, stage and probability.
 */
export const opportunityObject: ObjectDef = {
  apiName: 'opportunity',
  label: { 'zh-CN': '商机', 'en-US': 'Opportunity' },
  pluralLabel: { 'zh-CN': '商机', 'en-US': 'Opportunities' },
  icon: 'fund',
  isCustom: false,
  table: 'opportunities',
  jsonColumn: 'custom',
  nameField: 'name',
  fields: [
    ...systemFields(),
    field('name', 'text', '商机名称', 'Name', {
      required: true,
      column: 'name',
      validation: { maxLength: 200 },
    }),
    field('customerId', 'lookup', '客户', 'Customer', {
      required: true,
      column: 'customer_id',
      lookupObject: 'customer',
    }),
    field('contactId', 'lookup', '联系人', 'Contact', { column: 'contact_id', lookupObject: 'contact' }),
    // The `lead` object belongs to the leads module; kept as a plain id so neither module needs the other.
    field('leadId', 'text', '来源线索', 'Source lead', {
      column: 'lead_id',
      readOnly: true,
      validation: { maxLength: 36 },
    }),
    field('amount', 'currency', '预计金额', 'Amount', { column: 'amount', validation: { min: 0 } }),
    // Chosen on create; changing pipeline later would orphan the stage, so updates are refused by the hook.
    field('pipelineId', 'text', '销售流程', 'Pipeline', { column: 'pipeline_id' }),
    field('stage', 'picklist', '阶段', 'Stage', {
      column: 'stage',
      readOnly: true,
      options: DEFAULT_STAGE_OPTIONS,
    }),
    field('probability', 'percent', '赢率', 'Win probability', {
      column: 'probability',
      readOnly: true,
      validation: { min: 0, max: 100 },
    }),
    field('expectedCloseDate', 'date', '预计成交日期', 'Expected close', { column: 'expected_close_date' }),
    field('lostReason', 'picklist', '输单原因', 'Lost reason', {
      column: 'lost_reason',
      readOnly: true,
      options: LOST_REASON_OPTIONS,
    }),
    field('closedAt', 'datetime', '关闭时间', 'Closed at', { column: 'closed_at', readOnly: true }),
    field('stageEnteredAt', 'datetime', '进入阶段时间', 'In stage since', {
      column: 'stage_entered_at',
      readOnly: true,
    }),
    field('channel', 'text', '渠道', 'Channel', { column: 'channel', validation: { maxLength: 64 } }),
    field('nextStep', 'text', '下一步', 'Next step', { column: 'next_step', validation: { maxLength: 500 } }),
    field('description', 'longtext', '描述', 'Description', { column: 'description' }),
  ],
  layout: {
    sections: [
      {
        key: 'basic',
        label: { 'zh-CN': '基本信息', 'en-US': 'Basics' },
        fields: ['name', 'customerId', 'contactId', 'amount', 'expectedCloseDate', 'channel'],
      },
      {
        key: 'stage',
        label: { 'zh-CN': '阶段', 'en-US': 'Stage' },
        fields: ['stage', 'probability', 'stageEnteredAt', 'lostReason', 'closedAt', 'nextStep'],
      },
      {
        key: 'more',
        label: { 'zh-CN': '更多', 'en-US': 'More' },
        fields: ['description', 'leadId'],
      },
      {
        key: 'system',
        label: { 'zh-CN': '系统信息', 'en-US': 'System' },
        fields: ['ownerId', 'unitId', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy'],
      },
    ],
  },
  listColumns: ['name', 'customerId', 'amount', 'stage', 'probability', 'expectedCloseDate', 'ownerId'],
  relatedLists: [],
};

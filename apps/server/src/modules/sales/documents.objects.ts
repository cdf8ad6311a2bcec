import type { Label } from '../../core/i18n/locale.ts';
import { CURRENCIES } from '../../engine/records/field-types.ts';
import {
  field,
  type LayoutSection,
  type ObjectDef,
  option,
  systemFields,
} from '../../engine/records/object-def.ts';

const L = (zh: string, en: string): Label => ({ 'zh-CN': zh, 'en-US': en });
const section = (key: string, zh: string, en: string, fields: string[]): LayoutSection => ({
  key,
  label: L(zh, en),
  fields,
});
const SYSTEM = section('system', '系统信息', 'System', [
  'ownerId',
  'unitId',
  'createdAt',
  'createdBy',
  'updatedAt',
  'updatedBy',
]);
const CURRENCY_OPTIONS = CURRENCIES.map((c) => option(c, c, c));
const money = (apiName: string, zh: string, en: string, column: string, readOnly = false) =>
  field(apiName, 'currency', zh, en, { column, readOnly, validation: { min: 0 } });

function object(
  apiName: string,
  table: string,
  zh: string,
  en: string,
  icon: string,
  fields: ObjectDef['fields'],
  sections: LayoutSection[],
  listColumns: string[],
  relatedLists: ObjectDef['relatedLists'] = [],
  nameField = 'name',
): ObjectDef {
  return {
    apiName,
    label: L(zh, en),
    // A list reads in the plural in English (Products, Quotes …); every label here takes an "s".
    pluralLabel: L(zh, `${en}s`),
    icon,
    isCustom: false,
    table,
    jsonColumn: 'custom',
    nameField,
    fields: [...systemFields(), ...fields],
    layout: { sections: [...sections, SYSTEM] },
    listColumns,
    relatedLists,
  };
}

/** R4.3: the product catalogue (tenant-wide scope in the demo roles). */
export const productObject = object(
  'product',
  'products',
  '产品',
  'Product',
  'shopping',
  [
    field('name', 'text', '产品名称', 'Name', {
      required: true,
      column: 'name',
      validation: { maxLength: 200 },
    }),
    field('code', 'text', '产品编码', 'Code', {
      column: 'code',
      unique: true,
      validation: { maxLength: 64 },
    }),
    field('category', 'picklist', '产品类别', 'Category', {
      column: 'category',
      options: [
        option('hardware', '硬件', 'Hardware'),
        option('software', '软件', 'Software'),
        option('service', '服务', 'Service'),
        option('consumable', '耗材', 'Consumable'),
        option('other', '其他', 'Other'),
      ],
    }),
    field('unit', 'text', '单位', 'Unit of measure', { column: 'uom', validation: { maxLength: 20 } }),
    field('listPrice', 'currency', '标准价', 'List price', {
      required: true,
      column: 'list_price',
      validation: { min: 0 },
    }),
    field('taxRate', 'percent', '税率', 'Tax rate', {
      column: 'tax_rate',
      defaultValue: 13,
      validation: { min: 0, max: 100 },
    }),
    field('isActive', 'boolean', '在售', 'Active', { column: 'is_active', defaultValue: true }),
    field('description', 'longtext', '描述', 'Description', { column: 'description' }),
  ],
  [
    section('basic', '基本信息', 'Basics', [
      'name',
      'code',
      'category',
      'unit',
      'listPrice',
      'taxRate',
      'isActive',
      'description',
    ]),
  ],
  ['name', 'code', 'category', 'listPrice', 'taxRate', 'isActive'],
  [{ object: 'price_list', field: 'productId', label: L('价格表', 'Price lists') }],
);

/**
 * A price list entry: one product's price in one currency with quantity tiers
 * `[{minQty, unitPrice}]` (unitPrice in minor units); the highest tier not above the quantity applies.
 */
export const priceListObject = object(
  'price_list',
  'price_lists',
  '价格表',
  'Price list',
  'tags',
  [
    field('name', 'text', '价格表名称', 'Name', {
      required: true,
      column: 'name',
      validation: { maxLength: 200 },
    }),
    field('productId', 'lookup', '产品', 'Product', {
      required: true,
      column: 'product_id',
      lookupObject: 'product',
    }),
    field('currency', 'picklist', '币种', 'Currency', {
      required: true,
      column: 'currency',
      defaultValue: 'CNY',
      options: CURRENCY_OPTIONS,
    }),
    field('tiers', 'json', '阶梯价', 'Quantity tiers', { required: true, column: 'tiers' }),
    field('validFrom', 'date', '生效日期', 'Valid from', { column: 'valid_from' }),
    field('validTo', 'date', '失效日期', 'Valid to', { column: 'valid_to' }),
    field('isActive', 'boolean', '启用', 'Active', { column: 'is_active', defaultValue: true }),
  ],
  [
    section('basic', '基本信息', 'Basics', [
      'name',
      'productId',
      'currency',
      'tiers',
      'validFrom',
      'validTo',
      'isActive',
    ]),
  ],
  ['name', 'productId', 'currency', 'validFrom', 'validTo', 'isActive'],
);

export const QUOTE_STATUS = [
  option('draft', '草稿', 'Draft', 'default'),
  option('pending_approval', '审批中', 'Pending approval', 'orange'),
  option('approved', '已批准', 'Approved', 'green'),
  option('rejected', '已驳回', 'Rejected', 'red'),
  option('accepted', '已转合同', 'Accepted', 'blue'),
  option('cancelled', '已作废', 'Cancelled', 'default'),
  option('superseded', '已修订', 'Superseded', 'default'),
];

/** R4.3: quotes; lines live in `quote_lines`, totals are computed by the server only. */
export const quoteObject = object(
  'quote',
  'quotes',
  '报价单',
  'Quote',
  'file-text',
  [
    field('name', 'text', '报价单名称', 'Name', {
      required: true,
      column: 'name',
      validation: { maxLength: 200 },
    }),
    field('customerId', 'lookup', '客户', 'Customer', {
      required: true,
      column: 'customer_id',
      lookupObject: 'customer',
    }),
    field('opportunityId', 'lookup', '商机', 'Opportunity', {
      column: 'opportunity_id',
      lookupObject: 'opportunity',
    }),
    field('contactId', 'lookup', '联系人', 'Contact', { column: 'contact_id', lookupObject: 'contact' }),
    field('status', 'picklist', '状态', 'Status', {
      column: 'status',
      readOnly: true,
      options: QUOTE_STATUS,
    }),
    field('currency', 'picklist', '币种', 'Currency', {
      required: true,
      column: 'currency',
      defaultValue: 'CNY',
      options: CURRENCY_OPTIONS,
    }),
    money('subtotal', '产品小计', 'Subtotal', 'subtotal', true),
    money('discountTotal', '折扣', 'Discount', 'discount_total', true),
    money('taxTotal', '税额', 'Tax', 'tax_total', true),
    money('total', '报价总额', 'Total', 'total', true),
    field('discountPercent', 'percent', '综合折扣率', 'Discount %', {
      column: 'discount_percent',
      readOnly: true,
    }),
    field('validUntil', 'date', '有效期至', 'Valid until', { column: 'valid_until' }),
    field('channel', 'text', '渠道', 'Channel', { column: 'channel', validation: { maxLength: 64 } }),
    field('notes', 'longtext', '备注', 'Notes', { column: 'notes' }),
    // Issue 9 §4: an approved quote is locked; a change makes revision n + 1 (quote-document.service.ts).
    field('revision', 'number', '版本', 'Revision', {
      column: 'revision',
      readOnly: true,
      defaultValue: 1,
    }),
    field('revisionOf', 'lookup', '首版报价', 'First revision', {
      column: 'revision_of',
      lookupObject: 'quote',
      readOnly: true,
    }),
  ],
  [
    section('basic', '基本信息', 'Basics', [
      'name',
      'customerId',
      'opportunityId',
      'contactId',
      'currency',
      'validUntil',
      'status',
      'revision',
    ]),
    section('totals', '金额', 'Totals', [
      'subtotal',
      'discountTotal',
      'taxTotal',
      'total',
      'discountPercent',
      'notes',
    ]),
  ],
  ['name', 'customerId', 'status', 'total', 'discountPercent', 'validUntil', 'ownerId'],
);

export const CONTRACT_STATUS = [
  option('draft', '草稿', 'Draft', 'default'),
  option('active', '已生效', 'Active', 'green'),
  option('completed', '已履约', 'Completed', 'blue'),
  option('terminated', '已终止', 'Terminated', 'red'),
];

export const contractObject = object(
  'contract',
  'contracts',
  '合同',
  'Contract',
  'audit',
  [
    field('name', 'text', '合同名称', 'Name', {
      required: true,
      column: 'name',
      validation: { maxLength: 200 },
    }),
    field('contractNo', 'text', '合同编号', 'Contract no.', {
      column: 'contract_no',
      unique: true,
      validation: { maxLength: 64 },
    }),
    field('customerId', 'lookup', '客户', 'Customer', {
      required: true,
      column: 'customer_id',
      lookupObject: 'customer',
    }),
    field('quoteId', 'lookup', '报价单', 'Quote', {
      column: 'quote_id',
      lookupObject: 'quote',
      readOnly: true,
    }),
    field('opportunityId', 'lookup', '商机', 'Opportunity', {
      column: 'opportunity_id',
      lookupObject: 'opportunity',
    }),
    money('amount', '合同金额', 'Amount', 'amount'),
    field('status', 'picklist', '状态', 'Status', {
      column: 'status',
      readOnly: true,
      options: CONTRACT_STATUS,
    }),
    field('signedAt', 'date', '签订日期', 'Signed on', { column: 'signed_at' }),
    field('startDate', 'date', '开始日期', 'Start', { column: 'start_date' }),
    field('endDate', 'date', '结束日期', 'End', { column: 'end_date' }),
    field('channel', 'text', '渠道', 'Channel', { column: 'channel', validation: { maxLength: 64 } }),
  ],
  [
    section('basic', '基本信息', 'Basics', [
      'name',
      'contractNo',
      'customerId',
      'quoteId',
      'opportunityId',
      'amount',
      'status',
      'signedAt',
      'startDate',
      'endDate',
    ]),
  ],
  ['contractNo', 'name', 'customerId', 'amount', 'status', 'signedAt', 'ownerId'],
  [{ object: 'order', field: 'contractId', label: L('订单', 'Orders') }],
);

export const ORDER_STATUS = [
  option('draft', '草稿', 'Draft', 'default'),
  option('confirmed', '已确认', 'Confirmed', 'blue'),
  option('shipped', '已发货', 'Shipped', 'cyan'),
  option('completed', '已完成', 'Completed', 'green'),
  option('cancelled', '已取消', 'Cancelled', 'red'),
];
export const PAYMENT_STATUS = [
  option('unpaid', '未收款', 'Unpaid', 'default'),
  option('partial', '部分收款', 'Partly paid', 'orange'),
  option('paid', '已收齐', 'Paid', 'green'),
];

export const orderObject = object(
  'order',
  'orders',
  '订单',
  'Order',
  'shopping-cart',
  [
    field('name', 'text', '订单编号', 'Order no.', {
      required: true,
      column: 'name',
      validation: { maxLength: 64 },
    }),
    field('customerId', 'lookup', '客户', 'Customer', {
      required: true,
      column: 'customer_id',
      lookupObject: 'customer',
    }),
    field('contractId', 'lookup', '合同', 'Contract', {
      column: 'contract_id',
      lookupObject: 'contract',
      readOnly: true,
    }),
    field('quoteId', 'lookup', '报价单', 'Quote', {
      column: 'quote_id',
      lookupObject: 'quote',
      readOnly: true,
    }),
    field('opportunityId', 'lookup', '商机', 'Opportunity', {
      column: 'opportunity_id',
      lookupObject: 'opportunity',
    }),
    money('amount', '订单金额', 'Amount', 'amount'),
    field('status', 'picklist', '订单状态', 'Status', {
      column: 'status',
      readOnly: true,
      options: ORDER_STATUS,
    }),
    money('paidAmount', '已收金额', 'Paid', 'paid_amount', true),
    field('paymentStatus', 'picklist', '收款状态', 'Payment status', {
      column: 'payment_status',
      readOnly: true,
      options: PAYMENT_STATUS,
    }),
    field('orderDate', 'date', '下单日期', 'Order date', { column: 'order_date' }),
    field('confirmedAt', 'datetime', '确认时间', 'Confirmed at', { column: 'confirmed_at', readOnly: true }),
    field('shippedAt', 'datetime', '发货时间', 'Shipped at', { column: 'shipped_at', readOnly: true }),
    field('completedAt', 'datetime', '完成时间', 'Completed at', { column: 'completed_at', readOnly: true }),
    field('channel', 'text', '渠道', 'Channel', { column: 'channel', validation: { maxLength: 64 } }),
  ],
  [
    section('basic', '基本信息', 'Basics', [
      'name',
      'customerId',
      'contractId',
      'quoteId',
      'opportunityId',
      'orderDate',
      'channel',
    ]),
    section('status', '状态与收款', 'Status & payment', [
      'status',
      'amount',
      'paidAmount',
      'paymentStatus',
      'confirmedAt',
      'shippedAt',
      'completedAt',
    ]),
  ],
  ['name', 'customerId', 'amount', 'status', 'paymentStatus', 'paidAmount', 'orderDate', 'ownerId'],
  [{ object: 'payment', field: 'orderId', label: L('收款', 'Receipts') }],
);

export const paymentObject = object(
  'payment',
  'payments',
  '收款',
  'Receipt',
  'pay-circle',
  [
    field('name', 'text', '收款单号', 'Receipt no.', { column: 'name', validation: { maxLength: 64 } }),
    field('orderId', 'lookup', '订单', 'Order', {
      required: true,
      column: 'order_id',
      lookupObject: 'order',
    }),
    field('customerId', 'lookup', '客户', 'Customer', {
      column: 'customer_id',
      lookupObject: 'customer',
      readOnly: true,
    }),
    field('amount', 'currency', '收款金额', 'Amount', {
      required: true,
      column: 'amount',
      validation: { min: 1 },
    }),
    field('paidAt', 'date', '收款日期', 'Received on', { required: true, column: 'paid_at' }),
    field('method', 'picklist', '收款方式', 'Method', {
      column: 'method',
      options: [
        option('bank_transfer', '银行转账', 'Bank transfer'),
        option('wechat', '微信支付', 'WeChat Pay'),
        option('alipay', '支付宝', 'Alipay'),
        option('cash', '现金', 'Cash'),
        option('acceptance', '承兑汇票', 'Bank acceptance'),
      ],
    }),
    field('reference', 'text', '流水号', 'Reference', {
      column: 'reference',
      validation: { maxLength: 100 },
    }),
    field('remark', 'longtext', '备注', 'Notes', { column: 'remark' }),
  ],
  [
    section('basic', '基本信息', 'Basics', [
      'name',
      'orderId',
      'customerId',
      'amount',
      'paidAt',
      'method',
      'reference',
      'remark',
    ]),
  ],
  ['name', 'orderId', 'customerId', 'amount', 'paidAt', 'method'],
);

/** R4.4: a target for a user or a unit (team/dealer/region) for one month or quarter. */
export const targetObject = object(
  'target',
  'targets',
  '销售目标',
  'Target',
  'aim',
  [
    field('name', 'text', '目标名称', 'Name', {
      required: true,
      column: 'name',
      validation: { maxLength: 200 },
    }),
    field('scopeType', 'picklist', '目标对象', 'For', {
      required: true,
      column: 'scope_type',
      defaultValue: 'user',
      options: [option('user', '个人', 'Person'), option('unit', '组织/团队', 'Unit / team')],
    }),
    field('userId', 'user', '人员', 'Person', { column: 'target_user_id' }),
    field('targetUnitId', 'unit', '组织', 'Unit', { column: 'target_unit_id' }),
    field('periodType', 'picklist', '周期', 'Period type', {
      required: true,
      column: 'period_type',
      defaultValue: 'month',
      options: [option('month', '月度', 'Month'), option('quarter', '季度', 'Quarter')],
    }),
    field('period', 'text', '期间', 'Period', {
      required: true,
      column: 'period',
      validation: { pattern: '^\\d{4}-(0[1-9]|1[0-2]|Q[1-4])$', maxLength: 7 },
    }),
    field('basis', 'picklist', '口径', 'Measured on', {
      required: true,
      column: 'basis',
      defaultValue: 'won',
      options: [option('won', '赢单金额', 'Won opportunities'), option('order', '订单金额', 'Orders')],
    }),
    money('amount', '目标金额', 'Amount target', 'amount'),
    field('count', 'number', '目标单数', 'Count target', { column: 'target_count', validation: { min: 0 } }),
  ],
  [
    section('basic', '基本信息', 'Basics', [
      'name',
      'scopeType',
      'userId',
      'targetUnitId',
      'periodType',
      'period',
      'basis',
      'amount',
      'count',
    ]),
  ],
  ['name', 'scopeType', 'userId', 'targetUnitId', 'period', 'amount', 'count'],
);

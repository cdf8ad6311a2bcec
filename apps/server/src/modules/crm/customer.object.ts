import { field, type ObjectDef, option, pii, systemFields } from '../../engine/records/object-def.ts';

export const INDUSTRY_OPTIONS = [
  option('manufacturing', '制造业', 'Manufacturing'),
  option('retail', '零售', 'Retail'),
  option('auto', '汽车', 'Automotive'),
  option('real_estate', '房地产', 'Real estate'),
  option('home_furnishing', '家居建材', 'Home furnishing'),
  option('healthcare', '医疗健康', 'Healthcare'),
  option('it', '信息技术', 'IT'),
  option('finance', '金融', 'Finance'),
  option('education', '教育', 'Education'),
  option('other', '其他', 'Other'),
];

/** R4.1: customers are companies or persons; one record for the whole network (R9.1). */
export const customerObject: ObjectDef = {
  apiName: 'customer',
  label: { 'zh-CN': '客户', 'en-US': 'Customer' },
  pluralLabel: { 'zh-CN': '客户', 'en-US': 'Customers' },
  icon: 'team',
  isCustom: false,
  table: 'customers',
  jsonColumn: 'custom',
  nameField: 'name',
  fields: [
    ...systemFields(),
    field('name', 'text', '客户名称', 'Name', {
      required: true,
      column: 'name',
      validation: { maxLength: 200 },
    }),
    field('kind', 'picklist', '客户类型', 'Type', {
      column: 'kind',
      required: true,
      defaultValue: 'company',
      options: [option('company', '企业客户', 'Company'), option('person', '个人客户', 'Person')],
    }),
    field('phone', 'phone', '电话', 'Phone', { column: 'phone', ...pii('phone') }),
    field('email', 'email', '邮箱', 'Email', { column: 'email', ...pii('email') }),
    field('industry', 'picklist', '行业', 'Industry', { column: 'industry', options: INDUSTRY_OPTIONS }),
    field('level', 'picklist', '客户等级', 'Grade', {
      column: 'level',
      options: [
        option('A', 'A 重点', 'A · Key account', 'red'),
        option('B', 'B 优质', 'B · High value', 'orange'),
        option('C', 'C 普通', 'C · Standard', 'blue'),
        option('D', 'D 低潜', 'D · Low potential', 'default'),
      ],
    }),
    field('source', 'picklist', '来源', 'Source', {
      column: 'source',
      options: [
        option('website', '官网', 'Website'),
        option('referral', '转介绍', 'Referral'),
        option('exhibition', '展会', 'Exhibition'),
        option('wecom', '企业微信', 'WeCom'),
        option('ad', '广告投放', 'Ads'),
        option('phone', '电话', 'Phone'),
        option('walk_in', '到店', 'Walk-in'),
        option('partner', '合作伙伴', 'Partner'),
      ],
    }),
    field('region', 'region', '所在地区', 'Region', { column: 'region' }),
    field('address', 'text', '详细地址', 'Address', { column: 'address', ...pii('address') }),
    field('website', 'url', '网址', 'Website', { column: 'website', classification: 'public' }),
    field('annualRevenue', 'currency', '年营业额', 'Annual revenue', { column: 'annual_revenue' }),
    field('employees', 'number', '员工人数', 'Employees', {
      column: 'employees',
      validation: { min: 0, max: 10_000_000 },
    }),
    field('isKeyAccount', 'boolean', '重点客户', 'Key account', {
      column: 'is_key_account',
      defaultValue: false,
    }),
    field('lastContactedAt', 'datetime', '最近联系', 'Last contacted', { column: 'last_contacted_at' }),
    field('remark', 'longtext', '备注', 'Notes', { column: 'remark' }),
  ],
  layout: {
    sections: [
      {
        key: 'basic',
        label: { 'zh-CN': '基本信息', 'en-US': 'Basics' },
        fields: ['name', 'kind', 'level', 'industry', 'source', 'isKeyAccount'],
      },
      {
        key: 'contact',
        label: { 'zh-CN': '联系方式', 'en-US': 'Contact details' },
        fields: ['phone', 'email', 'region', 'address', 'website'],
      },
      {
        key: 'business',
        label: { 'zh-CN': '经营信息', 'en-US': 'Business' },
        fields: ['annualRevenue', 'employees', 'lastContactedAt', 'remark'],
      },
      {
        key: 'system',
        label: { 'zh-CN': '系统信息', 'en-US': 'System' },
        fields: ['ownerId', 'unitId', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy'],
      },
    ],
  },
  listColumns: ['name', 'kind', 'level', 'phone', 'industry', 'region', 'ownerId', 'updatedAt'],
  relatedLists: [
    { object: 'contact', field: 'customerId', label: { 'zh-CN': '联系人', 'en-US': 'Contacts' } },
  ],
};

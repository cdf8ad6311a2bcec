import { field, type ObjectDef, option, pii, systemFields } from '../../engine/records/object-def.ts';

/** R4.1: people at a customer; each will link to a CDP profile (One ID, R1.2). */
export const contactObject: ObjectDef = {
  apiName: 'contact',
  label: { 'zh-CN': '联系人', 'en-US': 'Contact' },
  pluralLabel: { 'zh-CN': '联系人', 'en-US': 'Contacts' },
  icon: 'contacts',
  isCustom: false,
  table: 'contacts',
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
    field('customerId', 'lookup', '所属客户', 'Customer', {
      column: 'customer_id',
      lookupObject: 'customer',
    }),
    field('phone', 'phone', '手机', 'Mobile', { column: 'phone', ...pii('phone') }),
    field('email', 'email', '邮箱', 'Email', { column: 'email', ...pii('email') }),
    field('title', 'text', '职务', 'Title', { column: 'title', validation: { maxLength: 100 } }),
    field('gender', 'picklist', '性别', 'Gender', {
      column: 'gender',
      options: [
        option('male', '男', 'Male'),
        option('female', '女', 'Female'),
        option('unknown', '未知', 'Unknown'),
      ],
    }),
    field('birthday', 'date', '生日', 'Birthday', { column: 'birthday', ...pii('birthday') }),
    field('wechat', 'text', '微信号', 'WeChat ID', { column: 'wechat', ...pii('wechat') }),
    field('isPrimary', 'boolean', '主要联系人', 'Primary contact', {
      column: 'is_primary',
      defaultValue: false,
    }),
    field('remark', 'longtext', '备注', 'Notes', { column: 'remark' }),
  ],
  layout: {
    sections: [
      {
        key: 'basic',
        label: { 'zh-CN': '基本信息', 'en-US': 'Basics' },
        fields: ['name', 'customerId', 'title', 'gender', 'isPrimary'],
      },
      {
        key: 'contact',
        label: { 'zh-CN': '联系方式', 'en-US': 'Contact details' },
        fields: ['phone', 'email', 'wechat', 'birthday', 'remark'],
      },
      {
        key: 'system',
        label: { 'zh-CN': '系统信息', 'en-US': 'System' },
        fields: ['ownerId', 'unitId', 'createdAt', 'updatedAt'],
      },
    ],
  },
  listColumns: ['name', 'customerId', 'title', 'phone', 'email', 'ownerId', 'updatedAt'],
  relatedLists: [],
};

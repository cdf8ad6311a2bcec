import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** 获客链接 quota notifications (zh-CN first, en-US). */
const zh: Record<string, string> = {
  balance_low_title: '获客助手额度即将用完（{corp}）',
  balance_low_body:
    '获客链接的剩余额度不多了，用完后客户将无法通过链接添加成员，请尽快在企业微信管理后台购买额度',
  balance_exhausted_title: '获客助手额度已用完（{corp}）',
  balance_exhausted_body: '获客链接已无法再添加客户，请在企业微信管理后台购买额度；已添加的客户不受影响',
};
const en: Record<string, string> = {
  balance_low_title: 'Customer acquisition quota running low ({corp})',
  balance_low_body:
    'Few adds are left on your acquisition links; once used up customers cannot add staff through them. Buy more quota in the WeCom admin console',
  balance_exhausted_title: 'Customer acquisition quota used up ({corp})',
  balance_exhausted_body:
    'Acquisition links can no longer add customers. Buy more quota in the WeCom admin console; customers already added are not affected',
};

export const { text: acquisitionText } = moduleMessages(zh, en);

import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** The WeCom module's own problem and notification texts (zh-CN first, en-US). */
const zh: Record<string, string> = {
  corp_exists: '企业 {corpId} 已绑定',
  unit_out_of_scope: '只能为自己所在组织及下级组织绑定企业微信',
  corp_unreachable: '无法连接企业微信：{reason}',
  wecom_error: '企业微信返回错误 {errcode}',
  state_taken: '渠道参数「{state}」已被使用',
  staff_unknown: '成员 {userid} 不在该企业通讯录中',
  user_unknown: '用户不存在',
  lost_title: '被删提醒：客户 {name} 删除了 {staff}',
  lost_body: '客户已将成员从企业微信好友中删除，请及时跟进或复盘',
  lead_remark: '企业微信添加好友（渠道：{code}）',
  group_unknown: '客户群 {chatId} 不在该企业已同步的客户群中',
};
const en: Record<string, string> = {
  corp_exists: 'Corp {corpId} is already bound',
  unit_out_of_scope: 'You can bind WeCom only for your own unit and the units below it',
  corp_unreachable: 'WeCom could not be reached: {reason}',
  wecom_error: 'WeCom answered error {errcode}',
  state_taken: 'The state “{state}” is already used',
  staff_unknown: 'Member {userid} is not in this corp’s directory',
  user_unknown: 'No such user',
  lost_title: 'Deleted: customer {name} removed {staff}',
  lost_body: 'The customer removed the staff member from their WeCom contacts; follow up or review',
  lead_remark: 'Added on WeCom (channel code: {code})',
  group_unknown: 'Customer group {chatId} is not among this corp’s synced groups',
};

export const { text: wecomText, problem: wecomProblem } = moduleMessages(zh, en);

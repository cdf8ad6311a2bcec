import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** The campaigns module's texts (zh-CN first, en-US). */
const zh: Record<string, string> = {
  unit_outside: '只能在本单位及下级单位创建活动',
  owner_outside: '负责人必须是本单位及下级单位的员工',
  dates_order: '结束时间必须晚于开始时间',
  coupon_unknown: '券模板不存在',
  already_registered: '该手机号已报名本活动',
  field_required: '请填写{label}',
  not_open: '活动未开放报名',
  already_checked_in: '已于 {at} 签到，无需重复签到',
  registration_unknown: '没有找到该报名（请核对二维码或手机号）',
  registered: '报名成功',
  register: '立即报名',
  phone: '手机号',
  phone_invalid: '请输入 11 位手机号',
  consent_marketing: '我同意接收活动和优惠信息',
  consent_service: '我同意接收服务通知',
  ticket_title: '入场凭证',
  ticket_hint: '到场后向工作人员出示此二维码签到',
  not_found_page: '页面不存在或活动已结束',
  too_many: '操作太频繁，请稍后再试',
  ticket_or_phone: '请扫描入场二维码或输入手机号',
};
const en: Record<string, string> = {
  unit_outside: 'Campaigns can only be created for your unit or the units below it',
  owner_outside: 'The owner must be a staff member of your unit or the units below it',
  dates_order: 'The end must be after the start',
  coupon_unknown: 'No such coupon template',
  already_registered: 'This phone number is already registered for this campaign',
  field_required: 'Please fill in {label}',
  not_open: 'Registration for this campaign is not open',
  already_checked_in: 'Already checked in at {at}',
  registration_unknown: 'No such registration (check the QR code or the phone number)',
  registered: 'You are registered',
  register: 'Register',
  phone: 'Mobile phone',
  phone_invalid: 'Enter an 11-digit mobile number',
  consent_marketing: 'I agree to receive event and offer messages',
  consent_service: 'I agree to receive service notices',
  ticket_title: 'Your ticket',
  ticket_hint: 'Show this QR code to the staff at the venue to check in',
  not_found_page: 'This page does not exist or the campaign has ended',
  too_many: 'Too many attempts, please try again later',
  ticket_or_phone: 'Scan the ticket QR code or enter the phone number',
};

export const { text: gt, problem: campaignProblem } = moduleMessages(zh, en);

import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** The surveys module's own texts (zh-CN first, en-US). */
const zh: Record<string, string> = {
  stale_settings: '设置已被他人修改，请刷新后重试',
  already_answered: '本次回访已提交，感谢您的反馈',
  expired: '回访链接已过期',
  score_required: '请至少选择一项评分',
  sms_text: '您好，您的服务工单 {number} 已处理完毕。请花 1 分钟为本次服务评分：{url}',
  wecom_text: '您好，您的服务工单 {number} 已处理完毕，请为本次服务评分',
  complaint_reason: '回访低分：满意度 {csat}，推荐度 {nps}。{comment}',
  unknown: '未指定',
};
const en: Record<string, string> = {
  stale_settings: 'Someone else changed the settings: reload and try again',
  already_answered: 'This survey was already answered, thank you',
  expired: 'This survey link has expired',
  score_required: 'Choose at least one score',
  sms_text: 'Your service ticket {number} is done. Please rate our service (1 minute): {url}',
  wecom_text: 'Your service ticket {number} is done: please rate our service',
  complaint_reason: 'Low survey score: CSAT {csat}, NPS {nps}. {comment}',
  unknown: 'Not set',
};

export const { text: surveyText, problem: surveyProblem } = moduleMessages(zh, en);

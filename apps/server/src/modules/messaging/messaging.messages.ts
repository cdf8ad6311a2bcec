import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** Messaging's own texts (zh-CN first, en-US): field errors, the unsubscribe page, mail footers. */
const zh: Record<string, string> = {
  smtp_port: 'SMTP 端口只允许 25、465、587、2525 或 1024 以上（运营方放行的主机除外）',
  smtp_host_refused: '已拒绝：SMTP 主机是私有地址（需运营方在 KEHU_OUTBOUND_ALLOW 中放行）',
  smtp_host_invalid: 'SMTP 主机名无效',
  smtp_plain_refused: '只有运营方放行的主机可以不加密（none）',
  from_invalid: '发件人必须是有效的邮箱地址，如 “示例集团 <news@example.com>”',
  email_not_configured: '尚未配置邮件发送账号',
  sms_not_configured: '尚未配置短信账号',
  webhook_not_configured: '尚未配置 Webhook 地址',
  test_to_required: '请填写测试接收地址',
  unsubscribe_title: '退订邮件',
  unsubscribe_confirm: '确认不再接收 {tenant} 的营销邮件？',
  unsubscribe_button: '确认退订',
  unsubscribed: '已退订：您将不再收到 {tenant} 的邮件。',
  unsubscribe_invalid: '退订链接无效或已过期。',
  footer: '不想再收到此类邮件？',
  footer_link: '一键退订',
  open_button: '查看详情',
  test_subject: 'Kehu 测试邮件',
  test_body: '这是一封测试邮件：邮件发送配置可用。',
  test_sms: '这是一条测试短信：短信账号配置可用。',
};
const en: Record<string, string> = {
  smtp_port: 'SMTP port must be 25, 465, 587, 2525 or 1024 and above (unless the operator allows the host)',
  smtp_host_refused:
    'Refused: the SMTP host is a private address (the operator must list it in KEHU_OUTBOUND_ALLOW)',
  smtp_host_invalid: 'Invalid SMTP host name',
  smtp_plain_refused: 'Only hosts the operator allows may be used without encryption (none)',
  from_invalid: 'The sender must be a valid address, e.g. "Example Group <news@example.com>"',
  email_not_configured: 'No email sending account is set up yet',
  sms_not_configured: 'No SMS account is set up yet',
  webhook_not_configured: 'No webhook URL is set up yet',
  test_to_required: 'Enter where the test should go',
  unsubscribe_title: 'Unsubscribe',
  unsubscribe_confirm: 'Stop receiving marketing email from {tenant}?',
  unsubscribe_button: 'Unsubscribe',
  unsubscribed: 'Unsubscribed: you will not receive email from {tenant} any more.',
  unsubscribe_invalid: 'This unsubscribe link is invalid or has expired.',
  footer: 'Don’t want these emails?',
  footer_link: 'Unsubscribe with one click',
  open_button: 'Open',
  test_subject: 'Kehu test email',
  test_body: 'This is a test email: the email sending settings work.',
  test_sms: 'This is a test SMS: the SMS account works.',
};

export const { text: mt, problem: messagingProblem } = moduleMessages(zh, en);

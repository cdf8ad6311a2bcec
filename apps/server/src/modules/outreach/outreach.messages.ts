import { moduleMessages } from '../../core/i18n/module-messages.ts';

export const om = moduleMessages(
  {
    not_cancellable: '该群发已发送或已取消，不能再取消',
    sop_task_closed: '该 SOP 任务已完成',
    sop_overdue_title: 'SOP 任务逾期：{rule}',
    sop_overdue_body: '{content}（应于 {due} 完成）',
    too_many_attachments: '企业微信群发最多 9 个附件（素材与链接合计）',
    text_too_long: '企业微信群发文字最多 4000 字节（约 1333 个汉字）',
  },
  {
    not_cancellable: 'This mass message was already sent or cancelled',
    sop_task_closed: 'This SOP task is already done',
    sop_overdue_title: 'SOP task overdue: {rule}',
    sop_overdue_body: '{content} (due {due})',
    too_many_attachments: 'A WeCom mass message takes at most 9 attachments (materials and links together)',
    text_too_long: 'A WeCom mass message text is at most 4000 bytes (about 1333 Chinese characters)',
  },
);

import { moduleMessages } from '../../core/i18n/module-messages.ts';

export const om = moduleMessages(
  {
    not_cancellable: '该群发已发送或已取消，不能再取消',
    sop_task_closed: '该 SOP 任务已完成',
    sop_overdue_title: 'SOP 任务逾期：{rule}',
    sop_overdue_body: '{content}（应于 {due} 完成）',
  },
  {
    not_cancellable: 'This mass message was already sent or cancelled',
    sop_task_closed: 'This SOP task is already done',
    sop_overdue_title: 'SOP task overdue: {rule}',
    sop_overdue_body: '{content} (due {due})',
  },
);

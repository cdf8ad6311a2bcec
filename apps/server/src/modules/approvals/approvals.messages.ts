import { moduleMessages } from '../../core/i18n/module-messages.ts';

/** The approvals module's problem texts (zh-CN first, en-US). */
const zh: Record<string, string> = {
  record_locked: '该{what}正在审批中，审批结束前不能修改',
  delete_locked: '{what}「{name}」正在审批中（{approval}，{requester} 发起），审批结束前不能删除',
  approval_not_pending: '该审批已结束',
  approval_not_approver: '你不是当前步骤的审批人',
  approval_comment_required: '驳回或退回时必须填写意见',
  approval_already_pending: '已有进行中的审批',
};
const en: Record<string, string> = {
  record_locked: 'This {what} is pending approval and cannot be changed until the approval ends',
  delete_locked:
    '{what} “{name}” is pending approval ({approval}, requested by {requester}) and cannot be deleted until the approval ends',
  approval_not_pending: 'This approval has already ended',
  approval_not_approver: 'You are not an approver of the current step',
  approval_comment_required: 'A comment is required to reject or return',
  approval_already_pending: 'An approval is already in progress',
};

export const { text: at, problem: approvalProblem } = moduleMessages(zh, en);

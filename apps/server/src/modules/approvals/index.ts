import { APPROVALS_PERMISSIONS } from '@kehu/contracts/approvals';
import type { Contribution } from '../../engine/module.ts';
import { defineModule } from '../../engine/module.ts';
import { approvalRoutes } from './approval.routes.ts';
import { type ApprovalTarget, registerApprovalTarget } from './approval-targets.ts';
import { approvalHomeCards } from './home-cards.ts';

/**
 * Approvals (R4.4, R9.3): flows with conditional steps per object, the inbox, decisions with
 * comments, and the record lock while a request is pending. Objects join through the
 * `approval-target` extension point (`approvalTarget({...})` in their module's manifest).
 */
export default defineModule({
  name: 'approvals',
  label: { 'zh-CN': '审批', 'en-US': 'Approvals' },
  requires: ['notifications'],
  testKit: () => import('./test-kit.ts'),
  routes: approvalRoutes,
  permissions: [
    {
      key: APPROVALS_PERMISSIONS.read,
      label: { 'zh-CN': '查看审批', 'en-US': 'View approvals' },
      description: {
        'zh-CN': '查看与本人相关的审批，撤回本人发起的审批',
        'en-US': 'See approvals that concern me, withdraw my own',
      },
      demoRoles: ['总部销售经理', '区域经理', '经销商店长', '销售顾问'],
    },
    {
      key: APPROVALS_PERMISSIONS.update,
      label: { 'zh-CN': '处理审批', 'en-US': 'Decide approvals' },
      description: {
        'zh-CN': '作为审批人同意、驳回或退回',
        'en-US': 'Approve, reject or return as an approver',
      },
      demoRoles: ['总部销售经理', '区域经理', '经销商店长'],
    },
  ],
  extensionPoints: { 'approval-target': (value) => registerApprovalTarget(value as ApprovalTarget) },
  homeCards: approvalHomeCards,
});

/** A module's contribution that makes its object approvable (flows, decisions, lock). */
export const approvalTarget = (target: ApprovalTarget): Contribution<ApprovalTarget> => ({
  point: 'approval-target',
  value: target,
});

export { approvalLockHooks, assertUnlocked } from './approval.lock.ts';
export { listFlows, submitForApproval } from './approval.service.ts';
export type { ApprovalTarget, Decision } from './approval-targets.ts';
export { conditionHolds } from './approval-targets.ts';

import { DEALER_NETWORK_PERMISSIONS } from '@kehu/contracts/dealer-network';
import { DEALER_PERMISSIONS } from '@kehu/contracts/dealers';
import { can, dataScopeFor } from '../../core/auth/principal.ts';
import { defineModule } from '../../engine/module.ts';
import { approvalTarget } from '../approvals/index.ts';
import { webhookEventFamily } from '../notifications/index.ts';
import { seedDealerNetwork } from './dealer-network.demo.ts';
import { dealerNetworkRoutes } from './dealer-network.routes.ts';
import { forwardToWebhooks } from './erp/erp.service.ts';
import { registerJoinPage } from './recruitment/join.page.ts';
import { APPLICATION_OBJECT, onApplicationDecision } from './recruitment/recruitment.service.ts';

const P = DEALER_NETWORK_PERMISSIONS;
const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });

/**
 * Dealer network (issue 14, R9.2 招商, R9.4): prospective dealers apply on a public form and go
 * through a pipeline to onboarding (their unit and admin user, by someone who may create both);
 * the ERP posts payments, shipments and stock and receives order/statement events as signed
 * webhooks; HQ pushes tasks to units below and sees completion by unit.
 */
export default defineModule({
  name: 'dealer-network',
  label: label('经销商网络', 'Dealer network'),
  requires: ['admin', 'notifications', 'approvals', 'dealers'],
  routes: dealerNetworkRoutes,
  // The public 招商 page (/join/<formKey>): no sign-in, the form key names the tenant.
  http: registerJoinPage,
  // Dealer order and statement events (ERP_EVENT_TYPES) to the webhooks that subscribe to them.
  subscribers: [{ name: 'dealer-network:erp-webhooks', pattern: 'dms.*', handle: forwardToWebhooks }],
  contributes: [
    // dms.* events carry every dealer's orders and statements: a webhook may subscribe to them
    // only for someone who reads dealers tenant-wide (webhook rights alone are not enough).
    webhookEventFamily({
      family: 'dms',
      permission: DEALER_PERMISSIONS.read,
      maySubscribe: (p) =>
        can(p, DEALER_PERMISSIONS.read) &&
        (p.permissions.includes('*') || dataScopeFor(p, 'dms_order') === 'tenant'),
    }),
    approvalTarget({
      object: APPLICATION_OBJECT,
      onDecision: onApplicationDecision,
      defaultFlows: [
        {
          name: label('招商资质审批', 'Dealer qualification approval'),
          condition: null,
          steps: [
            {
              name: label('总部销售经理审批', 'HQ sales manager'),
              approverType: 'role',
              role: '总部销售经理',
            },
          ],
        },
      ],
    }),
  ],
  permissions: [
    {
      key: P.recruitRead,
      label: label('查看招商申请', 'View dealer applications'),
      description: label(
        '查看交给本单位及下级的招商申请与资质文件（无处理权限时联系方式脱敏）',
        'See applications handed to your units, with documents (contact data masked without the handling right)',
      ),
      demoRoles: ['总部销售经理', '区域经理', '数据分析师'],
    },
    {
      key: P.recruit,
      label: label('处理招商申请', 'Handle dealer applications'),
      description: label(
        '审核、备注、推进阶段、提交审批；开户还需组织架构与用户管理权限',
        'Review, note, move through stages, submit for approval; onboarding also needs unit and user management',
      ),
      demoRoles: ['总部销售经理', '区域经理'],
    },
    {
      key: P.erp,
      label: label('ERP 同步', 'ERP sync'),
      description: label(
        '供 ERP 的 API 密钥使用：回款、发货物流与库存',
        'For the ERP’s API key: payments, shipments with tracking, stock levels',
      ),
    },
    {
      key: P.tasksManage,
      label: label('下发任务', 'Distribute tasks'),
      description: label(
        '向下级大区、经销商、门店下发任务/活动/物料，查看完成情况并催办',
        'Push tasks, campaigns and materials to units below, see completion, send reminders',
      ),
      demoRoles: ['总部销售经理', '区域经理'],
    },
    {
      key: P.tasksWork,
      label: label('完成本单位任务', 'Complete my unit’s tasks'),
      description: label('查看并完成下发给本单位的任务', 'See and complete the tasks sent to your unit'),
      demoRoles: ['总部销售经理', '区域经理', '经销商店长', '销售顾问'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  demo: { order: 98, run: seedDealerNetwork },
  testKit: () => import('./test-kit.ts'),
});

/** For the field-sales visit flow: the open HQ tasks of a unit (a store being visited). */
export { completeUnitTarget, listOpenUnitTasks } from './hq-tasks/tasks.service.ts';

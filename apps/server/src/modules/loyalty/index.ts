import { LOYALTY_PERMISSIONS } from '@kehu/contracts/loyalty';
import { defineModule } from '../../engine/module.ts';
import { approvalTarget } from '../approvals/index.ts';
import { ADJUSTMENT_OBJECT, onAdjustmentDecision } from './adjustments.service.ts';
import { DAILY_QUEUE, dailyJob } from './daily.job.ts';
import { EVENTS_QUEUE, eventsJob, orderSubscriber, wecomSubscriber } from './earn-rules.service.ts';
import { loyaltyCdpSubscriber } from './loyalty.cdp.ts';
import { seedLoyalty } from './loyalty.demo.ts';
import { loyaltyRoutes } from './loyalty.routes.ts';
import { ticketTierSource } from './ticket-tier.ts';

const MANAGERS = ['总部销售经理', '区域经理', '经销商店长'];

/** 会员与积分 (issue 13, R7.1–R7.3): programs, tiers, members, the points ledger with lots. */
export default defineModule({
  name: 'loyalty',
  label: { 'zh-CN': '会员', 'en-US': 'Loyalty' },
  requires: ['cdp', 'coupons', 'approvals', 'sales'],
  routes: loyaltyRoutes,
  jobs: { [DAILY_QUEUE]: dailyJob, [EVENTS_QUEUE]: eventsJob },
  subscribers: [orderSubscriber, wecomSubscriber, loyaltyCdpSubscriber],
  contributes: [
    // service's SLA policies per member tier (the point is service's; without service it is unused)
    { point: 'ticket-customer-tier', value: ticketTierSource },
    approvalTarget({
      object: ADJUSTMENT_OBJECT,
      onDecision: onAdjustmentDecision,
      defaultFlows: [
        {
          name: { 'zh-CN': '积分调整审批', 'en-US': 'Points adjustment approval' },
          // Only adjustments above the program's threshold are submitted at all.
          condition: { field: 'points', op: 'gt', value: 0 },
          steps: [
            { name: { 'zh-CN': '直属经理审批', 'en-US': 'Unit manager' }, approverType: 'unit_manager' },
          ],
        },
      ],
    }),
  ],
  demo: { order: 80, run: seedLoyalty },
  testKit: () => import('./test-kit.ts'),
  permissions: [
    {
      key: LOYALTY_PERMISSIONS.read,
      label: { 'zh-CN': '查看会员', 'en-US': 'View members' },
      description: {
        'zh-CN': '查看本单位及下级单位入会的会员、积分流水和等级',
        'en-US': 'See members enrolled at your units, their points and tiers',
      },
      demoRoles: [...MANAGERS, '销售顾问', '客服专员'],
    },
    {
      key: LOYALTY_PERMISSIONS.manage,
      label: { 'zh-CN': '管理会员计划', 'en-US': 'Manage loyalty programs' },
      description: {
        'zh-CN': '设置等级、积分规则、有效期和倍率',
        'en-US': 'Set tiers, earn rules, expiry and multipliers',
      },
      demoRoles: ['总部销售经理'],
    },
    {
      key: LOYALTY_PERMISSIONS.enrol,
      label: { 'zh-CN': '办理入会', 'en-US': 'Enrol members' },
      description: {
        'zh-CN': '门店/接口登记会员、导入会员',
        'en-US': 'Enrol customers at the store, by API or import',
      },
      demoRoles: [...MANAGERS, '销售顾问'],
    },
    {
      key: LOYALTY_PERMISSIONS.adjust,
      label: { 'zh-CN': '积分调整', 'en-US': 'Adjust points' },
      description: {
        'zh-CN': '手工增减积分（超过阈值需审批）、积分转赠',
        'en-US': 'Add or take away points by hand (above the threshold with approval), transfers',
      },
      demoRoles: MANAGERS,
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
});

/**
 * The points mall, referrals and the member card (issue 13, helper "member-mall") work through
 * these, inside the caller's transaction, idempotent by key.
 */
export {
  type EnrolInput,
  enrolMember,
  findMember,
  getMemberCardExtras,
  getMemberSummary,
  type MemberCardExtras,
  type MemberSummary,
} from './members.service.ts';
export {
  type EarnInput,
  earnPoints,
  reverseSpend,
  type SpendInput,
  spendPoints,
} from './points.service.ts';

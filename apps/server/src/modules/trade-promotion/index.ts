import { TPM_PERMISSIONS } from '@kehu/contracts/trade-promotion';
import { defineModule } from '../../engine/module.ts';
import { approvalTarget } from '../approvals/index.ts';
import { ACTIVITY_OBJECT, onActivityDecision } from './activities.service.ts';
import { seedTradePromotion } from './tpm.demo.ts';
import { tpmRoutes } from './trade-promotion.routes.ts';

const P = TPM_PERMISSIONS;
const HQ = ['总部销售经理'];
const BRANCH = ['总部销售经理', '区域经理'];

/**
 * Trade promotion 费用 (TPM, issue 14, R9.2–R9.3): budgets allocated down the org tree, activities
 * approved through the approvals engine, proof photos checked on the server, verification 核销
 * into the dealer expense pool, ROI per activity.
 */
export default defineModule({
  name: 'trade-promotion',
  label: { 'zh-CN': '费用与活动', 'en-US': 'Trade promotion' },
  requires: ['approvals', 'sales'],
  routes: tpmRoutes,
  contributes: [
    approvalTarget({
      object: ACTIVITY_OBJECT,
      onDecision: onActivityDecision,
      defaultFlows: [
        {
          name: { 'zh-CN': '费用活动审批', 'en-US': 'Promotion activity approval' },
          condition: null,
          steps: [
            { name: { 'zh-CN': '上级经理审批', 'en-US': 'Manager above' }, approverType: 'unit_manager' },
            {
              name: { 'zh-CN': '总部销售经理审批', 'en-US': 'HQ sales manager' },
              approverType: 'role',
              role: '总部销售经理',
              // Above 5 万元 HQ looks too.
              condition: { field: 'amount', op: 'gt', value: 5_000_000 },
            },
          ],
        },
      ],
    }),
  ],
  permissions: [
    {
      key: P.read,
      label: { 'zh-CN': '查看费用与活动', 'en-US': 'View trade promotion' },
      description: {
        'zh-CN': '查看本单位及下级的费用预算、活动、执行照片和费用池',
        'en-US': 'See budgets, activities, proof photos and expense pools of your units',
      },
      demoRoles: [...BRANCH, '经销商店长', '销售顾问', '数据分析师'],
    },
    {
      key: P.fund,
      label: { 'zh-CN': '设立年度费用预算', 'en-US': 'Fund year budgets' },
      description: {
        'zh-CN': '总部按年度 / 季度、渠道、费用类型设立预算',
        'en-US': 'Head office sets budgets by year / quarter, channel and expense type',
      },
      demoRoles: HQ,
    },
    {
      key: P.allocate,
      label: { 'zh-CN': '分配费用预算', 'en-US': 'Allocate budgets' },
      description: {
        'zh-CN': '把本单位的预算分配给直属下级单位',
        'en-US': 'Hand part of your unit’s budget to its direct sub-units',
      },
      demoRoles: BRANCH,
    },
    {
      key: P.propose,
      label: { 'zh-CN': '申请费用活动', 'en-US': 'Propose activities' },
      demoRoles: [...BRANCH, '经销商店长'],
    },
    {
      key: P.proof,
      label: { 'zh-CN': '上传执行照片', 'en-US': 'Upload execution proof' },
      demoRoles: ['经销商店长', '销售顾问'],
    },
    {
      key: P.verify,
      label: { 'zh-CN': '费用核销', 'en-US': 'Verify activities (核销)' },
      description: {
        'zh-CN': '抽检执行照片，核定活动金额并记入经销商费用池',
        'en-US': 'Audit proof photos, approve amounts and credit the dealer’s expense pool',
      },
      demoRoles: BRANCH,
    },
    {
      key: P.stores,
      label: { 'zh-CN': '维护门店位置', 'en-US': 'Maintain store locations' },
      demoRoles: [...BRANCH, '经销商店长'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  demo: { order: 95, run: seedTradePromotion },
  testKit: () => import('./test-kit.ts'),
});

export { demoShelfPhoto } from './demo-photo.ts';
/**
 * Seams the dealer ordering (DMS) and field-visit flows build on: the expense pool (balance,
 * idempotent deduction) and the photo-proof checks (watermark, geofence, EXIF, perceptual hash).
 */
export { expensePool, type PoolChange, type PoolEntryOut } from './expense-pool.ts';
export {
  type CoordSystem,
  checkPhotoProof,
  distanceMetres,
  type ProofCheckInput,
  type ProofCheckResult,
  toWgs84,
} from './proof-check.ts';
export { findDuplicate, listStores } from './proofs.service.ts';

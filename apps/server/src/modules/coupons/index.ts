import { COUPONS_PERMISSIONS } from '@kehu/contracts/coupons';
import { defineModule } from '../../engine/module.ts';
import { BULK_QUEUE, bulkIssueJob } from './bulk-issue.ts';
import { couponCdpSubscriber } from './coupons.cdp.ts';
import { couponRoutes } from './coupons.routes.ts';
import { expireJob } from './expiry.job.ts';
import { EXPIRE_QUEUE } from './issue.service.ts';

const MANAGERS = ['总部销售经理', '区域经理', '经销商店长'];

/** 优惠券 (issue 12): templates, one-time codes, issue by journey/campaign/API/segment, redeem once. */
export default defineModule({
  name: 'coupons',
  label: { 'zh-CN': '优惠券', 'en-US': 'Coupons' },
  requires: ['cdp', 'sales'],
  routes: couponRoutes,
  jobs: { [EXPIRE_QUEUE]: expireJob, [BULK_QUEUE]: bulkIssueJob },
  subscribers: [couponCdpSubscriber],
  permissions: [
    {
      key: COUPONS_PERMISSIONS.read,
      label: { 'zh-CN': '查看优惠券', 'en-US': 'View coupons' },
      demoRoles: [...MANAGERS, '销售顾问', '客服专员'],
    },
    {
      key: COUPONS_PERMISSIONS.manage,
      label: { 'zh-CN': '管理券模板', 'en-US': 'Manage coupon templates' },
      description: {
        'zh-CN': '在本单位及下级单位创建、修改、暂停券模板，查看发券明细和统计',
        'en-US': 'Create, change and pause coupon templates of your units; see their coupons and stats',
      },
      demoRoles: MANAGERS,
    },
    {
      key: COUPONS_PERMISSIONS.issue,
      label: { 'zh-CN': '发放优惠券', 'en-US': 'Issue coupons' },
      description: {
        'zh-CN': '向客户或客户分群发券',
        'en-US': 'Issue coupons to a customer or a segment',
      },
      demoRoles: MANAGERS,
    },
    {
      key: COUPONS_PERMISSIONS.redeem,
      label: { 'zh-CN': '核销优惠券', 'en-US': 'Redeem coupons' },
      description: {
        'zh-CN': '门店输入或扫描券码核销，退款时冲正',
        'en-US': 'Type or scan a code at the store to redeem it; reverse on refund',
      },
      demoRoles: [...MANAGERS, '销售顾问'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
});

/** Journeys, campaigns, the points mall (issue 13) and fission issue through this, in their transaction. */
export { couponByKey, type IssuedCoupon, type IssueRequest, issueCoupon } from './issue.service.ts';
/** The member card page (issue 13) lists the signed-in customer's own coupons. */
export { couponsOfProfile } from './profile-coupons.ts';
/** The points mall (issue 13) voids a redeemed-for coupon when staff cancel the redemption. */
export { type VoidCouponInput, type VoidCouponResult, voidCoupon } from './redeem.service.ts';

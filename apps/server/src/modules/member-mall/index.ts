import { MEMBER_MALL_PERMISSIONS as P } from '@kehu/contracts/member-mall';
import { defineModule } from '../../engine/module.ts';
import { projectLoyaltyEvent, projectPaidOrder } from './analytics.service.ts';
import { registerCardPages } from './card-page.ts';
import { seedMemberMall } from './member-mall.demo.ts';
import { memberMallRoutes } from './member-mall.routes.ts';
import { rewardOnPaid } from './referrals.service.ts';

const MANAGERS = ['总部销售经理', '区域经理', '经销商店长'];

/** 积分商城、老带新、会员卡 H5、会员分析 (issue 13, R7.1–R7.3, R11.4) on top of loyalty's points. */
export default defineModule({
  name: 'member-mall',
  label: { 'zh-CN': '积分商城', 'en-US': 'Member mall' },
  requires: ['cdp', 'coupons', 'cards', 'messaging', 'loyalty', 'service'],
  routes: memberMallRoutes,
  // The public member card (/vip/<token>): phone + SMS code, no staff session.
  http: registerCardPages,
  subscribers: [
    { name: 'member-mall-referral-paid', pattern: 'order.payment_status_changed', handle: rewardOnPaid },
    { name: 'member-mall-order-stats', pattern: 'order.payment_status_changed', handle: projectPaidOrder },
    { name: 'member-mall-loyalty-stats', pattern: 'loyalty.*', handle: projectLoyaltyEvent },
  ],
  permissions: [
    {
      key: P.read,
      label: { 'zh-CN': '查看积分商城与会员分析', 'en-US': 'View member mall and analytics' },
      description: {
        'zh-CN': '本单位及下级单位的礼品、兑换、老带新与会员分析',
        'en-US': 'Rewards, redemptions, referrals and member analytics of your unit and below',
      },
      demoRoles: [...MANAGERS, '客服专员', '数据分析师'],
    },
    {
      key: P.manage,
      label: { 'zh-CN': '管理积分商城', 'en-US': 'Manage the member mall' },
      description: {
        'zh-CN': '上架、修改、下架礼品，设置会员卡与老带新奖励',
        'en-US': 'Add, change and remove rewards; set up the member card and referral rewards',
      },
      demoRoles: MANAGERS,
    },
    {
      key: P.fulfil,
      label: { 'zh-CN': '兑换履约', 'en-US': 'Fulfil redemptions' },
      description: {
        'zh-CN': '代会员兑换、发货、确认收货与服务、取消兑换（退回积分），可见收货地址',
        'en-US':
          'Redeem for a member, ship, confirm, serve or cancel (points go back); sees shipping addresses',
      },
      demoRoles: [...MANAGERS, '客服专员'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  demo: { order: 95, run: seedMemberMall },
  testKit: () => import('./test-kit.ts'),
});

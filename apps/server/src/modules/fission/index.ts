import { FISSION_PERMISSIONS } from '@kehu/contracts/fission';
import { defineModule } from '../../engine/module.ts';
import { fissionWithSimulator } from './fission.demo.ts';
import { fissionRoutes } from './fission.routes.ts';
import { inviteAdded, inviteJoinedGroup, inviteLeftGroup, inviteLost } from './invite.service.ts';
import { registerFissionPages } from './public-page.ts';
import { registerRewardIssuer } from './reward.ts';
import { COUPON_QUEUE, couponRewardIssuer, couponRewardJob } from './reward-coupon.ts';

const MANAGERS = ['总部销售经理', '区域经理', '经销商店长'];

/** 裂变 (issue 11): poster campaigns, personal codes per participant, anti-fraud, rewards, funnel. */
export default defineModule({
  name: 'fission',
  label: { 'zh-CN': '裂变活动', 'en-US': 'Fission campaigns' },
  requires: ['notifications', 'wecom', 'materials', 'cards', 'cdp', 'coupons'],
  routes: fissionRoutes,
  // Public pages (/f/<campaign>, /f/p/<participant>): no sign-in, the tokens are the authority.
  http: registerFissionPages,
  subscribers: [
    { name: 'fission-invite-added', pattern: 'wecom.contact.added', handle: inviteAdded },
    { name: 'fission-invite-lost', pattern: 'wecom.contact.lost', handle: inviteLost },
    { name: 'fission-group-joined', pattern: 'wecom.group.member_joined', handle: inviteJoinedGroup },
    { name: 'fission-group-left', pattern: 'wecom.group.member_left', handle: inviteLeftGroup },
  ],
  jobs: { [COUPON_QUEUE]: couponRewardJob },
  // The coupon reward is fission's own issuer on its own point: coupons' issueCoupon, see reward-coupon.ts.
  contributes: [{ point: 'fission-reward', value: couponRewardIssuer }],
  /**
   * `fission-reward`: `{ type, issue(tx, reward) }` — hands out a reward of that type when a
   * participant meets the task (fission itself contributes `coupon`), see reward.ts.
   */
  extensionPoints: { 'fission-reward': registerRewardIssuer },
  permissions: [
    {
      key: FISSION_PERMISSIONS.read,
      label: { 'zh-CN': '查看裂变活动', 'en-US': 'View fission campaigns' },
      description: {
        'zh-CN': '本单位及下级单位的裂变活动、参与人与漏斗报表',
        'en-US': "Fission campaigns of one's unit and below, participants and funnel reports",
      },
      demoRoles: MANAGERS,
    },
    {
      key: FISSION_PERMISSIONS.manage,
      label: { 'zh-CN': '管理裂变活动', 'en-US': 'Manage fission campaigns' },
      description: {
        'zh-CN': '新建、编辑、结束本单位的裂变活动（海报、任务、奖励与预算）',
        'en-US': "Create, edit and end one's unit's fission campaigns (poster, task, reward, budget)",
      },
      demoRoles: MANAGERS,
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  // After cards (75): a running campaign with participants, invites and a coupon reward.
  demo: { order: 80, withSimulator: fissionWithSimulator },
  testKit: () => import('./test-kit.ts'),
});

export { fissionFiguresByStaff } from './report.service.ts';
export type { RewardIssuer } from './reward.ts';

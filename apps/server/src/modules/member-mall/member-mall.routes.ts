import {
  MallSettings,
  MallSettingsPatch,
  MemberAnalytics,
  MEMBER_MALL_PERMISSIONS as P,
  RedeemInput,
  Redemption,
  RedemptionAction,
  RedemptionList,
  RedemptionQuery,
  ReferralList,
  Reward,
  RewardInput,
  RewardList,
  RewardPatch,
} from '@kehu/contracts/member-mall';
import { can } from '../../core/auth/principal.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { getMemberSummary } from '../loyalty/index.ts';
import { memberAnalytics } from './analytics.service.ts';
import { mallProblem } from './member-mall.messages.ts';
import { actOnRedemption, getRedemption, listRedemptions, redeem, toRedemption } from './redeem.service.ts';
import { listReferrals } from './referrals.service.ts';
import { createReward, deleteReward, getReward, listRewards, updateReward } from './rewards.service.ts';
import { getSettings, updateSettings } from './settings.service.ts';

const tags = ['member-mall'];
const reward = { params: { id: 'mall_reward' } };
const redemption = { params: { id: 'mall_redemption' } };

export const memberMallRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/member-mall/rewards',
    permission: P.read,
    summary: 'Points-mall rewards of my unit and the units below it',
    tags,
    response: RewardList,
    handler: (req) => req.tx((tx) => listRewards(tx, req.principal), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/member-mall/rewards',
    permission: P.manage,
    summary: 'Add a reward to the mall in my unit (coupon, physical gift with stock, service)',
    tags,
    body: RewardInput,
    response: Reward,
    status: 201,
    handler: (req) => req.tx((tx) => createReward(tx, req.principal, req.actor, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/member-mall/rewards/:id',
    permission: P.read,
    summary: 'One reward with its stock and redemption count',
    tags,
    params: idParam,
    response: Reward,
    probe: reward,
    handler: (req) => req.tx((tx) => getReward(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/member-mall/rewards/:id',
    permission: P.manage,
    summary: 'Change a reward (version-checked; stock sets what is left now)',
    tags,
    params: idParam,
    body: RewardPatch,
    response: Reward,
    probe: reward,
    handler: (req) => req.tx((tx) => updateReward(tx, req.principal, req.actor, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/member-mall/rewards/:id',
    permission: P.manage,
    summary: 'Take a reward off the mall (its redemptions stay)',
    tags,
    params: idParam,
    status: 204,
    probe: reward,
    handler: (req) => req.tx((tx) => deleteReward(tx, req.principal, req.actor, req.params.id)),
  }),
  defineRoute({
    method: 'GET',
    url: '/member-mall/redemptions',
    permission: P.read,
    summary: 'Redemptions of members of my unit and below (shipping masked without fulfil)',
    tags,
    query: RedemptionQuery,
    response: RedemptionList,
    handler: (req) => req.tx((tx) => listRedemptions(tx, req.principal, req.query), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/member-mall/redemptions',
    permission: P.fulfil,
    summary: "Redeem a reward for a member's points at the counter (idempotent by key)",
    tags,
    body: RedeemInput,
    response: Redemption,
    status: 201,
    probe: { body: { memberId: 'mall_member', rewardId: 'mall_reward' } },
    handler: (req) =>
      req.tx(async (tx) => {
        const p = req.principal;
        const m = await getMemberSummary(tx, p.tenantId, req.body.memberId).catch(() => null);
        if (!m || !p.subtreeUnitIds.includes(m.unitId))
          throw mallProblem('not_found', req.locale, 'member_unknown');
        return redeem(
          tx,
          p.tenantId,
          {
            memberId: req.body.memberId,
            rewardId: req.body.rewardId,
            // Keys are the caller's own: another user's key never replays their redemption.
            idempotencyKey: `staff:${p.userId}:${req.body.idempotencyKey}`,
            shipping: req.body.shipping,
            channel: p.kind === 'api_key' ? 'api' : 'staff',
            visibleUnits: p.subtreeUnitIds,
            by: p.userId,
          },
          req.locale,
        );
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/member-mall/redemptions/:id',
    permission: P.read,
    summary: 'One redemption',
    tags,
    params: idParam,
    response: Redemption,
    probe: redemption,
    handler: (req) =>
      req.tx(
        async (tx) =>
          toRedemption(await getRedemption(tx, req.principal, req.params.id), can(req.principal, P.fulfil)),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/member-mall/redemptions/:id/actions',
    permission: P.fulfil,
    summary: 'Ship, mark received, mark served, or cancel (points and stock go back)',
    tags,
    params: idParam,
    body: RedemptionAction,
    response: Redemption,
    probe: redemption,
    handler: (req) => req.tx((tx) => actOnRedemption(tx, req.principal, req.actor, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/member-mall/referrals',
    permission: P.read,
    summary: 'Referrals (老带新) of members of my unit and below, with counts',
    tags,
    response: ReferralList,
    handler: (req) => req.tx((tx) => listReferrals(tx, req.principal), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/member-mall/settings',
    permission: P.read,
    summary: 'Card page program and link, point value, referral rewards',
    tags,
    response: MallSettings,
    handler: (req) => req.tx((tx) => getSettings(tx, req.principal)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/member-mall/settings',
    permission: P.manage,
    summary: 'Change the card program, point value and referral rewards (version-checked)',
    tags,
    body: MallSettingsPatch,
    response: MallSettings,
    handler: (req) => req.tx((tx) => updateSettings(tx, req.principal, req.actor, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/member-mall/analytics',
    permission: P.read,
    summary:
      'Member analytics: active members, points liability, redemption rate, tier migration, repurchase and LTV by tier',
    tags,
    response: MemberAnalytics,
    handler: (req) => req.tx((tx) => memberAnalytics(tx, req.principal), { readOnly: true }),
  }),
];

import type { Tx } from '../../core/db/tenant-scope.ts';

/**
 * The `fission-reward` extension point: a module that can hand out a reward of a type (coupons,
 * once the loyalty/coupons module lands: `{ type: 'coupon', issue }`) contributes an issuer. It runs
 * in the transaction that records the reward, once per participant (the reward row is unique), so
 * an issuer that throws leaves no reward behind and the add is retried. Without an issuer of the
 * type the reward is a record and a notification (staff hand over gifts themselves).
 */
export interface RewardIssuer {
  type: string;
  issue(
    tx: Tx,
    r: {
      tenantId: string;
      rewardId: string;
      campaignId: string;
      participantId: string;
      rewardText: string;
      /** The WeCom contacts whose adds earned it (for a coupon to the participant, once they are known). */
      invitees: string[];
    },
  ): Promise<void>;
}

const issuers = new Map<string, RewardIssuer>();

export function registerRewardIssuer(value: unknown) {
  const v = value as RewardIssuer;
  if (!v?.type || typeof v.issue !== 'function') throw new Error('fission-reward: { type, issue } expected');
  issuers.set(v.type, v);
}

export const rewardIssuer = (type: string) => issuers.get(type);

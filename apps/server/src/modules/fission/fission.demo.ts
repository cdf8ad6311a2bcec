import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import type { DemoContext } from '../../engine/module.ts';
import { DEMO_WECOM } from '../wecom/index.ts';
import { settleReward } from './invite.service.ts';
import { campaignByToken, join } from './participant.service.ts';

const PEOPLE: Array<[name: string, invites: number]> = [
  ['王女士', 3],
  ['李先生', 2],
  ['陈阿姨', 1],
  ['小周', 1],
  ['赵先生', 0],
];

/**
 * One running fission campaign (HQ, the demo corp's sun.lei and zhao.jing, invite 3 → a coupon):
 * five participants who joined through the public page's own path (personal contact ways in the
 * simulator), their friends' adds over the last days — one a duplicate, one deleted within 24 h —
 * and the reward of the one who made it, issued as a coupon. Only with the simulator (the
 * campaign's staff are the demo corp's).
 */
export async function fissionWithSimulator(ctx: DemoContext): Promise<void> {
  const admin = await ctx.signIn('admin');
  const corps = await admin<{ items: Array<{ id: string; corpId: string }> }>('GET', '/wecom/corps');
  const corp = corps.items.find((c) => c.corpId === DEMO_WECOM.corpId);
  if (!corp) return;
  const template = await admin<{ id: string }>('POST', '/coupon-templates', {
    name: '老带新 · 保养 8 折券',
    kind: 'percent_off',
    percentOff: 20,
    validity: 'relative',
    validDays: 90,
    perProfileLimit: 1,
    totalStock: 500,
  }).catch(() => null);
  const day = (offset: number) => new Date(ctx.now + offset * 86_400_000).toISOString().slice(0, 10);
  const campaign = await admin<{ id: string; joinUrl: string }>('POST', '/fission/campaigns', {
    name: '冬季老带新 · 邀 3 位好友送保养券',
    startsOn: day(-6),
    endsOn: day(24),
    corpRef: corp.id,
    staff: ['sun.lei', 'zhao.jing'],
    inviteTarget: 3,
    ...(template
      ? { rewardType: 'coupon', couponTemplateId: template.id, rewardText: '保养 8 折券' }
      : { rewardType: 'gift', rewardText: '免费保养一次' }),
    budget: 20000,
    rewardCost: 120,
  });
  const c = await campaignByToken(ctx.database, new URL(campaign.joinUrl).pathname.split('/').pop()!);
  if (!c) return;
  let n = 0;
  for (const [i, [name, invites]] of PEOPLE.entries()) {
    const { token } = await join(ctx.database, c, `demo-fission-visitor-${i}`.padEnd(22, '0'), name);
    await inTenant(ctx.database.db, ctx.tenantId, async (tx) => {
      const p = (
        await sql<{ id: string; staff_userid: string }>`update fission_participants
          set created_at = now() - make_interval(days => ${5 - i})
          where tenant_id = ${ctx.tenantId} and token = ${token} returning id, staff_userid`.execute(tx)
      ).rows[0]!;
      const add = async (status: string, key: string, hoursAgo: number, lostAfterHours?: number) => {
        n += 1;
        await sql`insert into fission_invites (tenant_id, id, campaign_id, participant_id, corp_ref, external_userid,
            userid, person_key, status, added_at, lost_at, event_id)
          values (${ctx.tenantId}, ${newId()}, ${c.id}, ${p.id}, ${corp.id}, ${`wmdemofission${n}`}, ${p.staff_userid},
            ${key}, ${status}, now() - make_interval(hours => ${hoursAgo}),
            ${lostAfterHours === undefined ? null : sql`now() - make_interval(hours => ${hoursAgo - lostAfterHours})`},
            ${newId()})`.execute(tx);
      };
      for (let k = 0; k < invites; k++)
        await add('counted', `u:demo-fission-${i}-${k}`, 100 - i * 12 - k * 5);
      if (i === 1) await add('duplicate', 'u:demo-fission-0-0', 30);
      if (i === 2) await add('voided', `u:demo-fission-${i}-lost`, 40, 3);
      await settleReward(tx, ctx.tenantId, p.id);
    });
  }
  // The CDP learns who joined, then the coupon job issues the reward to that profile.
  await ctx.drain();
}

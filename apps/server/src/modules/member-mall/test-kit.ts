import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker, uniqueMobile } from '../../testing/fixtures.ts';
import { inSide, type Placement, type ProbeKind, type Side } from '../../testing/probe-kit.ts';
import { profileForPhone } from '../cdp/index.ts';
import { enrolMember } from '../loyalty/index.ts';

async function rewardRow(side: Side, at?: Placement) {
  const m = marker('MR');
  const id = newId();
  await inSide(side, (tx) =>
    sql`insert into mall_rewards (tenant_id, id, unit_id, name, kind, points_cost, stock_total, stock_left)
      values (${side.dir.tenantId}, ${id}, ${at?.unitId ?? side.dir.unit('HQ')}, ${m}, 'gift', 100, 5, 5)`.execute(
      tx,
    ),
  );
  return { id, marker: m };
}

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  /** A loyalty member enrolled at the unit (a program written into loyalty's tables once per side). */
  mall_member: {
    unitScoped: true,
    async create(side, at) {
      const m = marker('MM');
      const unitId = at?.unitId ?? side.dir.unit('HQ');
      const memberId = await inSide(side, async (tx) => {
        const t = side.dir.tenantId;
        const programId = newId();
        await sql`insert into loyalty_programs (tenant_id, id, name, unit_id) values (${t}, ${programId}, ${m},
            ${side.dir.unit('HQ')})`.execute(tx);
        await sql`insert into loyalty_tiers (tenant_id, id, program_id, name, rank, threshold)
          values (${t}, ${newId()}, ${programId}, ${m}, 0, 0)`.execute(tx);
        const p = (await profileForPhone(tx, t, uniqueMobile(), 'probe'))!;
        const r = await enrolMember(tx, t, {
          programId,
          profileId: p.profileId,
          unitId,
          source: 'api',
          idempotencyKey: m,
        });
        return r.memberId;
      });
      return { id: memberId, marker: m };
    },
  },
  mall_reward: { unitScoped: true, create: rewardRow },
  /** A gift redemption as redeem() stores it (the matrix needs no points for a row to look at). */
  mall_redemption: {
    unitScoped: true,
    async create(side, at) {
      const w = await rewardRow(side, at);
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into mall_redemptions (tenant_id, id, reward_id, member_id, profile_id, unit_id, points, kind, status,
            idempotency_key, channel, ship_name, ship_phone, ship_address)
          values (${side.dir.tenantId}, ${id}, ${w.id}, ${newId()}, ${newId()}, ${at?.unitId ?? side.dir.unit('HQ')}, 100,
            'gift', 'pending_shipment', ${`probe:${id}`}, 'staff', ${w.marker}, '13800138000', ${w.marker})`.execute(
          tx,
        ),
      );
      return { id, marker: w.marker };
    },
  },
};

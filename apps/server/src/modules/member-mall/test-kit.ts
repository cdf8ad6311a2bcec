import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker, uniqueMobile } from '../../testing/fixtures.ts';
import { inSide, memo, type Placement, type ProbeKind, type Side } from '../../testing/probe-kit.ts';
import { profileForPhone } from '../cdp/index.ts';

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
  /**
   * A loyalty member at the unit, of one program per side in the other region (SC: a program is
   * visible below its unit, so one at HQ would read as a leak to a dealer), written into loyalty's tables (member
   * numbers are per tenant, so rows carry a marker number that no program's sequence can reach).
   */
  mall_member: {
    unitScoped: true,
    async create(side, at) {
      const m = marker('MM');
      const t = side.dir.tenantId;
      const program = await memo(side, 'mall_probe_program', () =>
        inSide(side, async (tx) => {
          const id = newId();
          const tier = newId();
          await sql`insert into loyalty_programs (tenant_id, id, name, unit_id) values (${t}, ${id}, ${m},
              ${side.dir.unit('SC')})`.execute(tx);
          await sql`insert into loyalty_tiers (tenant_id, id, program_id, name, rank, threshold)
            values (${t}, ${tier}, ${id}, ${m}, 0, 0)`.execute(tx);
          return { id, tier };
        }),
      );
      const id = newId();
      await inSide(side, async (tx) => {
        const p = (await profileForPhone(tx, t, uniqueMobile(), 'probe'))!;
        await sql`insert into loyalty_members (tenant_id, id, program_id, profile_id, member_no, unit_id, source, tier_id,
            tier_review_at, idempotency_key)
          values (${t}, ${id}, ${program.id}, ${p.profileId}, ${m.toUpperCase()}, ${at?.unitId ?? side.dir.unit('HQ')},
            'api', ${program.tier}, now() + interval '365 days', ${m})`.execute(tx);
      });
      return { id, marker: m };
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

import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker } from '../../testing/fixtures.ts';
import { inSide, type Placement, type ProbeKind, type Side } from '../../testing/probe-kit.ts';

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

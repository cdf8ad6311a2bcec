import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker } from '../../testing/fixtures.ts';
import { inSide, memo, ok, type ProbeKind, type Side } from '../../testing/probe-kit.ts';
import { probeKinds as cdpKinds } from '../cdp/test-kit.ts';

/** A program with three tiers (银卡 0, 金卡 1000, 黑金 5000), 1 point per yuan, points valid a year. */
export const threeTiers = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  pointsPerYuan: 1,
  expiryDays: 365,
  tiers: [
    { name: '银卡', threshold: 0 },
    { name: '金卡', threshold: 1000, discountPercent: 5, freeServices: ['免费洗车'] },
    { name: '黑金', threshold: 5000, discountPercent: 10, freeServices: ['免费洗车', '专属顾问'] },
  ],
  ...extra,
});

/**
 * The program unit-scoped member probes enrol into lives in the other region (SC): a program is
 * rightly visible to the units below it, so one at HQ, made while the matrix places members in
 * other units, would show up in the dealer's (EC-D1) program list and read as a leak.
 */
async function probeProgram(side: Side) {
  return memo(side, 'loyalty_probe_program', async () => {
    const m = marker('LP');
    const p = await ok(
      side.admin.post('/loyalty/programs', threeTiers(m, { unitId: side.dir.unit('SC') })),
      'loyalty program',
    );
    return { id: p.id as string, marker: m, baseTier: p.tiers[0].id as string };
  });
}

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  loyalty_program: {
    async create(side) {
      const m = marker('LP');
      const p = await ok(side.admin.post('/loyalty/programs', threeTiers(m)), 'loyalty program');
      return { id: p.id, marker: m };
    },
  },
  /** A member enrolled at a unit: people of other units (siblings, below) do not see them. */
  loyalty_member: {
    unitScoped: true,
    async create(side, at) {
      const p = await probeProgram(side);
      const profile = await cdpKinds.cdp_profile!.create(side);
      // Written directly: the placement (EC side of the tree) is outside the program's unit (SC).
      const id = newId();
      const no = marker('M').toUpperCase();
      await inSide(side, (tx) =>
        sql`insert into loyalty_members (tenant_id, id, program_id, profile_id, member_no, unit_id, source, tier_id,
            tier_review_at, idempotency_key)
          values (${side.dir.tenantId}, ${id}, ${p.id}, ${profile.id}, ${no}, ${at?.unitId ?? side.dir.unit('HQ')},
            'api', ${p.baseTier}, now() + interval '365 days', ${no})`.execute(tx),
      );
      return { id, marker: profile.marker };
    },
  },
};

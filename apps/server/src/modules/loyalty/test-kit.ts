import { marker } from '../../testing/fixtures.ts';
import { memo, ok, type ProbeKind, type Side } from '../../testing/probe-kit.ts';
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

async function program(side: Side) {
  return memo(side, 'loyalty_program', async () => {
    const m = marker('LP');
    const p = await ok(side.admin.post('/loyalty/programs', threeTiers(m)), 'loyalty program');
    return { id: p.id as string, marker: m };
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
      const p = await program(side);
      const profile = await cdpKinds.cdp_profile!.create(side);
      const r = await ok(
        side.admin.post('/loyalty/members', {
          programId: p.id,
          profileId: profile.id,
          unitId: at?.unitId,
          idempotencyKey: marker('LM'),
        }),
        'loyalty member',
      );
      return { id: r.memberId, marker: profile.marker };
    },
  },
};

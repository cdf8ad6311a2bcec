import { marker } from '../../testing/fixtures.ts';
import { drainBackground } from '../../testing/harness.ts';
import { memo, ok, type ProbeKind, type Side } from '../../testing/probe-kit.ts';
import { probeKinds as cdpKinds } from '../cdp/test-kit.ts';

/** A 满减 template of the side's HQ, valid 30 days from issue, unlimited stock. */
export const amountOff = (name: string) => ({
  name,
  kind: 'amount_off',
  thresholdMinor: 100_00,
  amountMinor: 20_00,
  validity: 'relative',
  validDays: 30,
  perProfileLimit: 100,
});

async function template(side: Side) {
  return memo(side, 'coupon_template', async () => {
    const m = marker('CT');
    const t = await ok(side.admin.post('/coupon-templates', amountOff(m)), 'coupon template');
    return { id: t.id as string, marker: m };
  });
}

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  coupon_template: {
    async create(side) {
      const m = marker('CT');
      const t = await ok(side.admin.post('/coupon-templates', amountOff(m)), 'coupon template');
      return { id: t.id, marker: m };
    },
  },
  coupon: {
    async create(side) {
      const t = await template(side);
      const profile = await memo(side, 'coupon_profile', () => cdpKinds.cdp_profile!.create(side));
      const m = marker('CP');
      const c = await ok(
        side.admin.post(`/coupon-templates/${t.id}/issue`, { profileId: profile.id, idempotencyKey: m }),
        'coupon',
      );
      return { id: c.couponId, marker: t.marker, fields: { code: c.code } };
    },
  },
  coupon_bulk_issue: {
    async create(side) {
      const t = await template(side);
      const seg = await cdpKinds.cdp_segment!.create(side);
      const b = await ok(
        side.admin.post(`/coupon-templates/${t.id}/bulk-issues`, { segmentId: seg.id }),
        'bulk',
      );
      // Finished before the probes look, so the job's progress is not mistaken for a probe's write.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        await drainBackground(side.env, side.dir.tenantId);
        const now = await ok(side.admin.get(`/coupon-bulk-issues/${b.id}`), 'bulk');
        if (now.status === 'done') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return { id: b.id, marker: t.marker };
    },
  },
};

import { marker } from '../../testing/fixtures.ts';
import { ok, type ProbeKind } from '../../testing/probe-kit.ts';

export const campaignBody = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  kind: 'store_event',
  startsAt: new Date(Date.now() - 3_600_000).toISOString(),
  endsAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
  budgetMinor: 10_000_00,
  formFields: [{ key: 'name', label: '姓名', required: true }],
  consentPurposes: ['marketing'],
  status: 'published',
  ...extra,
});

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  campaign: {
    async create(side) {
      const m = marker('CA');
      const c = await ok(side.admin.post('/campaigns', campaignBody(m)), 'campaign');
      return { id: c.id, marker: m };
    },
  },
};

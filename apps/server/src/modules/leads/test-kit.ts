import { marker, uniqueMobile } from '../../testing/fixtures.ts';
import { ok, type ProbeKind, record } from '../../testing/probe-kit.ts';

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  lead: {
    unitScoped: true,
    async create(side, at) {
      const phone = uniqueMobile();
      const r = await record(side, 'lead', { phone, company: marker('CO') }, at);
      return { ...r, fields: { phone } };
    },
  },
  lead_rule: {
    async create(side) {
      const m = marker('LR');
      const r = await ok(
        side.admin.post('/leads/rules', { name: m, enabled: false, strategy: 'round_robin', members: [] }),
        'lead rule',
      );
      return { id: r.id, marker: m };
    },
  },
  lead_form: {
    async create(side) {
      const m = marker('LF');
      const f = await ok(
        side.admin.post('/leads/forms', { name: m, fields: [{ field: 'name', required: true }] }),
        'lead form',
      );
      return { id: f.id, marker: m };
    },
  },
  lead_channel: {
    async create(side) {
      const m = marker('LC');
      const c = await ok(
        side.admin.post('/leads/channels', { code: m, name: m, channel: 'web' }),
        'lead channel',
      );
      return { id: c.id, marker: m };
    },
  },
};

import { marker } from '../../testing/fixtures.ts';
import { ok, type ProbeKind } from '../../testing/probe-kit.ts';

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  /** A company script at the side's HQ, written by its admin. */
  script: {
    async create(side) {
      const m = marker('SC');
      const s = await ok(
        side.admin.post('/scripts', { title: m, body: `${m} 话术正文`, scope: 'company' }),
        'script',
      );
      return { id: s.id, marker: m };
    },
  },
  script_category: {
    async create(side) {
      const m = marker('SK');
      const c = await ok(side.admin.post('/script-categories', { name: m }), 'script category');
      return { id: c.id, marker: m };
    },
  },
};

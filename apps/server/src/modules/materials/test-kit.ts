import { marker } from '../../testing/fixtures.ts';
import { ok, type ProbeKind, placed } from '../../testing/probe-kit.ts';

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  /**
   * An article of the admin's unit (HQ). Not `unitScoped`: a unit sees the materials of the
   * units above it by design (HQ publishes down); sibling units are probed in materials.int.test.ts.
   */
  material: {
    async create(side, at) {
      const m = marker('MT');
      const r = await ok(
        side.admin.post('/materials', {
          kind: 'article',
          title: m,
          bodyHtml: `<p>${m}</p>`,
          ...(at ? { unitId: placed(at).unitId } : {}),
        }),
        'material',
      );
      return { id: r.id, marker: m };
    },
  },
};

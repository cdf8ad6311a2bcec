import sharp from 'sharp';
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
  /** A poster with its image uploaded (file and composed-poster routes). */
  material_poster: {
    async create(side) {
      const m = marker('MP');
      const r = await ok(side.admin.post('/materials', { kind: 'poster', title: m }), 'material_poster');
      const png = await sharp({ create: { width: 200, height: 300, channels: 3, background: '#336699' } })
        .png()
        .toBuffer();
      await ok(
        side.admin.request('PUT', `/materials/${r.id}/file`, png, {
          'content-type': 'application/octet-stream',
        }),
        'material_poster file',
      );
      return { id: r.id, marker: m };
    },
  },
};

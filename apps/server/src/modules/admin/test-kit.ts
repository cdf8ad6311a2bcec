import { marker } from '../../testing/fixtures.ts';
import { lowerKey, ok, type ProbeKind } from '../../testing/probe-kit.ts';

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  /** A store under the dealer EC-D1. */
  unit: {
    async create(side) {
      const m = marker('UN');
      const u = await ok(
        side.admin.post('/admin/units', { name: m, type: 'store', parentId: side.dir.unit('EC-D1') }),
        'unit',
      );
      return { id: u.id, marker: m };
    },
  },
  user: {
    async create(side) {
      const m = lowerKey('probe.');
      const u = await ok(
        side.admin.post('/admin/users', { login: m, name: m, unitId: side.dir.unit('EC-D1') }),
        'user',
      );
      return { id: u.id, marker: m };
    },
  },
};

import { marker } from '../../testing/fixtures.ts';
import { login } from '../../testing/harness.ts';
import { memo, ok, type ProbeKind, product, type Side } from '../../testing/probe-kit.ts';

/** The dealer manager of EC-D1 (张伟) of the side's tenant. */
const dealerUser = (side: Side) =>
  memo(side, 'dms_dealer_user', () => login(side.env, side.dir.seed.slug, 'zhang.wei'));

let periods = 0;

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  dms_order: {
    async create(side) {
      const zhang = await dealerUser(side);
      const m = marker('DO');
      const o = await ok(
        zhang.post('/dealers/orders', { lines: [{ productId: await product(side), quantity: 1 }], note: m }),
        'dms order',
      );
      return { id: o.id, marker: m };
    },
  },
  dms_statement: {
    async create(side) {
      // A month of its own each time (one statement per dealer and month), far from real data.
      const n = periods++;
      const period = `${2000 + Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
      const s = await ok(
        side.admin.post('/dealers/statements', { dealerUnitId: side.dir.unit('EC-D1'), period }),
        'dms statement',
      );
      return { id: s.id, marker: s.id };
    },
  },
};

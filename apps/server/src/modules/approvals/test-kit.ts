import { marker } from '../../testing/fixtures.ts';
import { label, ok, type ProbeKind } from '../../testing/probe-kit.ts';
import { quoteAt } from '../sales/test-kit.ts';

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  /** A quote whose discount needs approval, submitted: the approval request. */
  approval: {
    unitScoped: true,
    async create(side, at) {
      const q = await quoteAt(side, at, 30);
      const sub = await ok(side.admin.post(`/quotes/${q.id}/submit`), 'quote submit');
      if (!sub.approval) throw new Error('probe kind approval: the quote needed no approval');
      return { id: sub.approval.id as string, marker: q.marker, fields: { quote: q.id } };
    },
  },
  approval_flow: {
    async create(side) {
      const m = marker('AF');
      const f = await ok(
        side.admin.post('/approval-flows', {
          object: 'quote',
          name: label(m),
          condition: { field: 'amount', op: 'gt', value: 1e12 },
          steps: [{ name: label(m), approverType: 'unit_manager' }],
          isActive: false,
        }),
        'approval flow',
      );
      return { id: f.id, marker: m };
    },
  },
};

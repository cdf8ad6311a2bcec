import { marker } from '../../testing/fixtures.ts';
import { inSide, label, ok, type ProbeKind } from '../../testing/probe-kit.ts';
import { notify } from './notifications.service.ts';

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  /** A notification for the side's admin (the caller of the matrix's tenant-wide probes). */
  notification: {
    async create(side) {
      const m = marker('NT');
      const [id] = await inSide(side, (tx) =>
        notify(tx, side.dir.tenantId, {
          userIds: [side.dir.user('admin').id],
          kind: 'probe',
          title: label(m),
        }),
      );
      return { id: id!, marker: m };
    },
  },
  notification_webhook: {
    async create(side) {
      const m = marker('WH');
      // A kind nothing emits: the hook is never called during the test.
      const w = await ok(
        side.admin.post('/notification-webhooks', { url: `https://hooks.example.com/${m}`, kinds: [m] }),
        'webhook',
      );
      return { id: w.id, marker: m };
    },
  },
};

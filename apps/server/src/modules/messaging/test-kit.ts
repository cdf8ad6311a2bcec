import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker } from '../../testing/fixtures.ts';
import { inSide, type ProbeKind } from '../../testing/probe-kit.ts';

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  /** A skipped attempt (nothing to deliver: probing it calls nobody outside). */
  messaging_message: {
    async create(side) {
      const m = marker('MM');
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into messaging_messages (tenant_id, id, idempotency_key, profile_id, channel, purpose, source_kind,
            source_id, status, reason, body)
          values (${side.dir.tenantId}, ${id}, ${m}, ${newId()}, 'in_app', 'service', 'manual', ${m}, 'skipped',
            'no_address', ${m})`.execute(tx),
      );
      return { id, marker: m };
    },
  },
};

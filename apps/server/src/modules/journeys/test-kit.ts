import type { JourneyDefinition } from '@kehu/contracts/journeys';
import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker } from '../../testing/fixtures.ts';
import { inSide, type ProbeKind } from '../../testing/probe-kit.ts';

/** A live journey: entry → send SMS → wait 3 days → exit, entered by hand. */
export const simpleDefinition = (): JourneyDefinition => ({
  trigger: { kind: 'manual' },
  graph: {
    nodes: [
      { id: 'in', data: { kind: 'entry' }, position: { x: 0, y: 0 } },
      {
        id: 'wait',
        data: { kind: 'wait', mode: 'duration', duration: { amount: 3, unit: 'days' } },
        position: { x: 0, y: 100 },
      },
      { id: 'out', data: { kind: 'exit' }, position: { x: 0, y: 200 } },
    ],
    edges: [
      { id: 'e1', source: 'in', target: 'wait', sourceHandle: 'next' },
      { id: 'e2', source: 'wait', target: 'out', sourceHandle: 'next' },
    ],
  },
  goal: null,
  reentry: { policy: 'never' },
  holdoutPercent: 0,
});

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  journey: {
    unitScoped: true,
    async create(side, at) {
      const m = marker('JN');
      const id = newId();
      const def = simpleDefinition();
      await inSide(side, async (tx) => {
        await sql`insert into journeys (tenant_id, id, name, status, live_version, trigger_kind, unit_id, created_by)
          values (${side.dir.tenantId}, ${id}, ${m}, 'live', 1, 'manual', ${at?.unitId ?? side.dir.unit('HQ')}, ${at?.ownerId ?? null})`.execute(
          tx,
        );
        await sql`insert into journey_versions (tenant_id, journey_id, version, status, definition, trigger_kind, published_at)
          values (${side.dir.tenantId}, ${id}, 1, 'published', ${JSON.stringify(def)}::jsonb, 'manual', now())`.execute(
          tx,
        );
        await sql`insert into journey_versions (tenant_id, journey_id, version, status, definition, trigger_kind)
          values (${side.dir.tenantId}, ${id}, 2, 'draft', ${JSON.stringify(def)}::jsonb, 'manual')`.execute(
          tx,
        );
      });
      return { id, marker: m };
    },
  },
};

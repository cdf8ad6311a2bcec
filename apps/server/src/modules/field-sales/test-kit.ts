import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker } from '../../testing/fixtures.ts';
import { inSide, type Placement, type ProbeKind, type Side } from '../../testing/probe-kit.ts';

/**
 * The seeded store EC-D1-S1 of the side's tenant. Probes make no new units (other modules' views,
 * such as TPM's comparable stores, must not change under the matrix), and an existing unit's id
 * shows in other answers (the caller's unit tree), so the kind is probed across tenants only; the
 * int tests cover another branch's stores (404).
 */
async function store(side: Side) {
  const id = side.dir.unit('EC-D1-S1');
  return { id, marker: id };
}

async function rep(side: Side, at?: Placement) {
  const m = marker('FSR');
  const id = newId();
  await inSide(side, (tx) =>
    sql`insert into users (tenant_id, id, login, name, unit_id)
      values (${side.dir.tenantId}, ${id}, ${m.toLowerCase()}, ${m}, ${at?.unitId ?? side.dir.unit('HQ')})`.execute(
      tx,
    ),
  );
  return { id, marker: m };
}

/** A planned visit at the placement's unit by the placement's owner (the rep). */
async function visit(side: Side, at?: Placement) {
  const id = newId();
  const repId = at?.ownerId ?? side.dir.user('admin').id;
  const m = marker('FSV');
  const storeId = at?.unitId ?? side.dir.unit('EC-D1');
  await inSide(side, (tx) =>
    sql`insert into fsl_visits (tenant_id, id, rep_id, store_unit_id, day, seq, visit_type, results)
      values (${side.dir.tenantId}, ${id}, ${repId}, ${storeId}, '2030-01-07'::date, 1, 'routine',
        ${JSON.stringify({ hq_task: { items: [], note: m, at: '2030-01-07T00:00:00Z' } })}::jsonb)`.execute(
      tx,
    ),
  );
  return { id, marker: m };
}

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  fsl_store: { create: (side) => store(side) },
  fsl_rep: { unitScoped: true, create: (side, at) => rep(side, at) },
  fsl_visit: { unitScoped: true, create: (side, at) => visit(side, at) },
  fsl_photo: {
    unitScoped: true,
    async create(side, at) {
      const v = await visit(side, at);
      const id = newId();
      // A 1×1 JPEG: the probe is about who may fetch it, not about the picture.
      const jpeg = Buffer.from(
        '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==',
        'base64',
      );
      await inSide(side, (tx) =>
        sql`insert into fsl_photos (tenant_id, id, visit_id, step, dhash, sha256, flags, status, image, thumb)
          values (${side.dir.tenantId}, ${id}, ${v.id}, 'shelf_photo', 0, ${v.marker}, '[]'::jsonb, 'accepted', ${jpeg}, ${jpeg})`.execute(
          tx,
        ),
      );
      return { id, marker: v.marker };
    },
  },
};

import { sql } from 'kysely';
import { marker, uniqueMobile } from '../../testing/fixtures.ts';
import { inSide, ok, type ProbeKind, type Side } from '../../testing/probe-kit.ts';

/** A one-pixel PNG. */
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

/** An application at the side's HQ, written directly (the public form is rate limited per address). */
async function application(side: Side, withDocument = false) {
  const m = marker('AP');
  const id = crypto.randomUUID();
  const docId = crypto.randomUUID();
  await inSide(side, async (tx) => {
    await sql`insert into dnw_applications (tenant_id, id, reference, company, company_key, contact_name, phone,
        region, category, unit_id)
      values (${side.dir.tenantId}, ${id}, ${m}, ${m}, ${m.toLowerCase()}, ${m}, ${uniqueMobile()}, '上海', '整车',
        ${side.dir.unit('HQ')})`.execute(tx);
    if (withDocument)
      await sql`insert into dnw_application_documents (tenant_id, id, application_id, name, kind, mime, size, bytes)
        values (${side.dir.tenantId}, ${docId}, ${id}, ${`${m}.png`}, 'license', 'image/png', 68,
          ${Buffer.from(PNG_BASE64, 'base64')})`.execute(tx);
  });
  return { id, docId, marker: m };
}

/** A task from HQ to exactly the unit `unitId`, and that unit's target row. */
async function taskAt(side: Side, unitId: string) {
  const m = marker('TK');
  const type = await inSide(
    side,
    async (tx) =>
      (
        await sql<{
          type: string;
        }>`select type from units where tenant_id = ${side.dir.tenantId} and id = ${unitId}`.execute(tx)
      ).rows[0]!.type,
  );
  const t = await ok(
    side.admin.post('/hq-tasks', {
      title: m,
      dueAt: new Date(Date.now() + 86_400_000).toISOString(),
      proof: 'text',
      targetRootIds: [unitId],
      unitTypes: [type === 'hq' ? 'region' : type],
    }),
    'hq task',
  );
  const target = t.targetUnits.find((x: any) => x.unitId === unitId) ?? t.targetUnits[0];
  return { taskId: t.id as string, targetId: target.id as string, marker: m };
}

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  dnw_application: {
    async create(side) {
      const a = await application(side);
      return { id: a.id, marker: a.marker };
    },
  },
  dnw_document: {
    async create(side) {
      const a = await application(side, true);
      return { id: a.docId, marker: a.marker };
    },
  },
  /** A branch (华东大区) of the side's tenant: where dealers are onboarded and tasks are aimed. */
  dnw_branch: {
    async create(side) {
      const id = side.dir.unit('EC');
      return { id, marker: id };
    },
  },
  dnw_task: {
    async create(side) {
      const t = await taskAt(side, side.dir.unit('EC-D2'));
      return { id: t.taskId, marker: t.marker };
    },
  },
  /** A unit's own target of an HQ task: only that unit's people may complete it. */
  dnw_task_target: {
    unitScoped: true,
    async create(side, at) {
      const t = await taskAt(side, at?.unitId ?? side.dir.unit('EC-D1'));
      return { id: t.targetId, marker: t.marker };
    },
  },
  dnw_task_photo: {
    unitScoped: true,
    async create(side, at) {
      const t = await taskAt(side, at?.unitId ?? side.dir.unit('EC-D1'));
      await inSide(side, (tx) =>
        sql`update dnw_task_targets set status = 'done', completed_at = now(), photo = ${Buffer.from(PNG_BASE64, 'base64')},
            photo_mime = 'image/png', version = version + 1
          where tenant_id = ${side.dir.tenantId} and id = ${t.targetId}`.execute(tx),
      );
      return { id: t.targetId, marker: t.marker };
    },
  },
};

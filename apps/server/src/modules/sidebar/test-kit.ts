import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker } from '../../testing/fixtures.ts';
import { inSide, ok, type ProbeKind, type Side } from '../../testing/probe-kit.ts';

/** A corp bound at the unit, as the wecom module's probes make one (no simulator in the matrix). */
async function corpAt(side: Side, unitId: string) {
  const m = marker('SC');
  const c = await ok(
    side.admin.post('/wecom/corps', { name: m, unitId, corpId: `ww${m}`, contactSecret: `secret-${m}` }),
    'sidebar corp',
  );
  return c.id as string;
}

/** Things the sidebar's routes name (testing/probe-kinds.ts): a WeCom customer and a customer group. */
export const probeKinds: Record<string, ProbeKind> = {
  sidebar_contact: {
    unitScoped: true,
    async create(side, at) {
      const unitId = at?.unitId ?? side.dir.unit('HQ');
      const corpRef = await corpAt(side, unitId);
      const m = marker('SX');
      const ext = `wm${m}`;
      await inSide(side, (tx) =>
        sql`insert into wecom_external_contacts (tenant_id, corp_ref, external_userid, userid, unit_id, name)
          values (${side.dir.tenantId}, ${corpRef}, ${ext}, 'probe', ${unitId}, ${m})`.execute(tx),
      );
      return { id: ext, marker: m };
    },
  },
  sidebar_group: {
    unitScoped: true,
    async create(side, at) {
      const corpRef = await corpAt(side, at?.unitId ?? side.dir.unit('HQ'));
      const m = marker('SG');
      await inSide(side, (tx) =>
        sql`insert into wecom_groups (tenant_id, id, corp_ref, chat_id, name, owner_userid)
          values (${side.dir.tenantId}, ${newId()}, ${corpRef}, ${`wr${m}`}, ${m}, 'probe')`.execute(tx),
      );
      return { id: `wr${m}`, marker: m };
    },
  },
};

import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker } from '../../testing/fixtures.ts';
import { inSide, ok, type ProbeKind, type Side } from '../../testing/probe-kit.ts';

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
async function corpAt(side: Side, unitId?: string) {
  const m = marker('WC');
  const c = await ok(
    side.admin.post('/wecom/corps', {
      name: m,
      unitId: unitId ?? side.dir.unit('HQ'),
      corpId: `ww${m}`,
      contactSecret: `secret-${m}`,
    }),
    'wecom_corp',
  );
  return { id: c.id as string, marker: m };
}

export const probeKinds: Record<string, ProbeKind> = {
  wecom_corp: {
    unitScoped: true,
    create: (side, at) => corpAt(side, at?.unitId),
  },
  /** A code row as the connector would store it (the matrix runs without a WeCom simulator). */
  wecom_code: {
    unitScoped: true,
    async create(side, at) {
      const corp = await corpAt(side, at?.unitId);
      const m = marker('WK');
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into wecom_channel_codes (tenant_id, id, corp_ref, unit_id, name, state, channel, staff, qr_code)
          values (${side.dir.tenantId}, ${id}, ${corp.id}, ${at?.unitId ?? side.dir.unit('HQ')}, ${m}, ${m.toLowerCase()}, 'wecom', '["probe"]',
            'https://qr.invalid/probe.png')`.execute(tx),
      );
      return { id, marker: m };
    },
  },
  /** A 门店活码 row as createStoreCode would store it (its stores are not needed to probe it). */
  wecom_store_code: {
    unitScoped: true,
    async create(side, at) {
      const corp = await corpAt(side, at?.unitId);
      const m = marker('WS');
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into wecom_store_codes (tenant_id, id, corp_ref, unit_id, name, state, public_key)
          values (${side.dir.tenantId}, ${id}, ${corp.id}, ${at?.unitId ?? side.dir.unit('HQ')}, ${m}, ${m.toLowerCase()},
            ${`probe-${id}`})`.execute(tx),
      );
      return { id, marker: m };
    },
  },
  /** A 获客链接 row as createLink would store it. */
  wecom_acquisition_link: {
    unitScoped: true,
    async create(side, at) {
      const corp = await corpAt(side, at?.unitId);
      const m = marker('WL');
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into wecom_acquisition_links (tenant_id, id, corp_ref, unit_id, name, state, link_id, url, staff)
          values (${side.dir.tenantId}, ${id}, ${corp.id}, ${at?.unitId ?? side.dir.unit('HQ')}, ${m}, ${m.toLowerCase()}, ${`cawcde${m}`},
            'https://work.weixin.qq.com/ca/probe', '["probe"]')`.execute(tx),
      );
      return { id, marker: m };
    },
  },
  /** A 群活码 row as createJoinCode would store it. */
  wecom_join_code: {
    unitScoped: true,
    async create(side, at) {
      const corp = await corpAt(side, at?.unitId);
      const m = marker('WJ');
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into wecom_join_codes (tenant_id, id, corp_ref, unit_id, name, state, config_id, qr_code, chat_ids)
          values (${side.dir.tenantId}, ${id}, ${corp.id}, ${at?.unitId ?? side.dir.unit('HQ')}, ${m}, ${m.toLowerCase()}, ${`cfg${m}`},
            'https://qr.invalid/probe.png', '["probe"]')`.execute(tx),
      );
      return { id, marker: m };
    },
  },
  /** A customer group row as the group sync would store it. */
  wecom_group: {
    unitScoped: true,
    async create(side, at) {
      const corp = await corpAt(side, at?.unitId);
      const m = marker('WG');
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into wecom_groups (tenant_id, id, corp_ref, chat_id, name, owner_userid)
          values (${side.dir.tenantId}, ${id}, ${corp.id}, ${`wr${m}`}, ${m}, 'probe')`.execute(tx),
      );
      return { id, marker: m };
    },
  },
};

/** For modules built on the connection (chat archive, sidebar …): the simulator and a bound corp. */
export { bindSimulatedCorp, useWeComSimulator } from './simulator-fixture.ts';

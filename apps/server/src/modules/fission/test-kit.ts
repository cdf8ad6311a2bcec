import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker } from '../../testing/fixtures.ts';
import { inSide, type ProbeKind } from '../../testing/probe-kit.ts';

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  /** A campaign row as createCampaign stores it (the matrix runs without a WeCom simulator). */
  fission_campaign: {
    unitScoped: true,
    async create(side, at) {
      const m = marker('FC');
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into fission_campaigns (tenant_id, id, unit_id, token, name, starts_on, ends_on, corp_ref, staff,
            invite_target, reward_type, reward_text)
          values (${side.dir.tenantId}, ${id}, ${at?.unitId ?? side.dir.unit('HQ')}, ${`tok-${id}`}, ${m}, current_date,
            current_date + 30, ${newId()}, '["probe"]', 2, 'gift', ${m})`.execute(tx),
      );
      return { id, marker: m };
    },
  },
};

import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker } from '../../testing/fixtures.ts';
import { inSide, type ProbeKind } from '../../testing/probe-kit.ts';

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  chat_rule: {
    async create(side) {
      const m = marker('CR');
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into chat_rules (tenant_id, id, name, kind, keywords)
          values (${side.dir.tenantId}, ${id}, ${m}, 'sensitive', ${[m]})`.execute(tx),
      );
      return { id, marker: m };
    },
  },
  /** One archived message between a staff member and a customer, in a unit; named by its three keys. */
  chat_conversation: {
    unitScoped: true,
    async create(side, at) {
      const m = marker('CC');
      const corpRef = newId();
      const external = `wm${m}`;
      const staff = `st${m}`;
      await inSide(side, (tx) =>
        sql`insert into chat_messages (tenant_id, corp_ref, msgid, seq, msgtime, msgtype, action, direction,
            staff_userid, external_userid, content, unit_id, staff_user_id, raw)
          values (${side.dir.tenantId}, ${corpRef}, ${m}, 1, now(), 'text', 'send', 'in', ${staff}, ${external}, ${m},
            ${at?.unitId ?? side.dir.unit('HQ')}, ${at?.ownerId ?? null}, '{}')`.execute(tx),
      );
      return { id: corpRef, marker: m, fields: { corpRef, staff, external } };
    },
  },
  /** An alert as the archive reader would open it, in a unit (scope is by the staff member's unit). */
  chat_alert: {
    unitScoped: true,
    async create(side, at) {
      const m = marker('CA');
      const rule = newId();
      const id = newId();
      // Of a rule since removed: rules are tenant-wide settings, an alert is a unit's record.
      await inSide(side, async (tx) => {
        await sql`insert into chat_alerts (tenant_id, id, rule_id, corp_ref, msgid, keyword, unit_id, staff_user_id,
            msgtime, excerpt)
          values (${side.dir.tenantId}, ${id}, ${rule}, ${newId()}, ${m}, ${m}, ${at?.unitId ?? side.dir.unit('HQ')},
            ${at?.ownerId ?? null}, now(), ${m})`.execute(tx);
      });
      return { id, marker: m };
    },
  },
};

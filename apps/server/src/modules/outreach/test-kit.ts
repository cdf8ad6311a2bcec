import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker } from '../../testing/fixtures.ts';
import { inSide, type ProbeKind } from '../../testing/probe-kit.ts';

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  /** A message already sent (probing send/refresh/cancel on it calls nobody outside). */
  outreach_message: {
    unitScoped: true,
    async create(side, at) {
      const m = marker('OM');
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into outreach_messages (tenant_id, id, corp_ref, chat_type, title, body, audience, status,
            scheduled_at, unit_id, created_by)
          values (${side.dir.tenantId}, ${id}, ${newId()}, 'single', ${m}, ${m}, '{"kind":"filter"}', 'sent', now(),
            ${at?.unitId ?? side.dir.unit('HQ')}, ${at?.ownerId ?? null})`.execute(tx),
      );
      return { id, marker: m };
    },
  },
  /** An open SOP task of a staff member (only its owner may close it). */
  sop_task: {
    unitScoped: true,
    async create(side, at) {
      const m = marker('ST');
      const id = newId();
      const rule = newId();
      await inSide(side, async (tx) => {
        await sql`insert into sop_rules (tenant_id, id, name, kind, trigger, steps, unit_id)
          values (${side.dir.tenantId}, ${rule}, ${m}, 'customer', '{"on":"contact_added"}',
            '[{"dayOffset":0,"hour":10,"kind":"custom","content":"probe"}]',
            ${at?.unitId ?? side.dir.unit('HQ')})`.execute(tx);
        await sql`insert into sop_tasks (tenant_id, id, rule_id, step, kind, content, unit_id, user_id, due_at)
          values (${side.dir.tenantId}, ${id}, ${rule}, 1, 'custom', ${m}, ${at?.unitId ?? side.dir.unit('HQ')},
            ${at?.ownerId ?? null}, now())`.execute(tx);
      });
      return { id, marker: m };
    },
  },
};

import { sql } from 'kysely';
import { newId } from '../../core/ids.ts';
import { marker } from '../../testing/fixtures.ts';
import { inSide, type Placement, type ProbeKind, type Side } from '../../testing/probe-kit.ts';
import { createTicket } from '../service/index.ts';

async function newUser(side: Side, at?: Placement) {
  const m = marker('FU');
  const id = newId();
  await inSide(side, (tx) =>
    sql`insert into users (tenant_id, id, login, name, unit_id)
      values (${side.dir.tenantId}, ${id}, ${m.toLowerCase()}, ${m}, ${at?.unitId ?? side.dir.unit('HQ')})`.execute(
      tx,
    ),
  );
  return { id, marker: m };
}

async function technician(side: Side, at?: Placement) {
  const u = await newUser(side, at);
  await inSide(side, (tx) =>
    sql`insert into fs_technicians (tenant_id, user_id, skills, areas) values (${side.dir.tenantId}, ${u.id},
      ${['空调']}, ${[u.marker]})`.execute(tx),
  );
  return u;
}

async function slot(side: Side, technicianId: string) {
  const id = newId();
  const start = new Date(Date.now() + (2 + Math.floor(Math.random() * 500)) * 3600_000);
  await inSide(side, (tx) =>
    sql`insert into fs_slots (tenant_id, id, technician_id, starts_at, ends_at, capacity)
      values (${side.dir.tenantId}, ${id}, ${technicianId}, ${start}, ${new Date(start.getTime() + 3600_000)}, 5)`.execute(
      tx,
    ),
  );
  return id;
}

async function ticket(side: Side, at?: Placement) {
  const m = marker('FT');
  const t = side.dir.tenantId;
  const r = await inSide(side, async (tx) =>
    createTicket(tx, t, {
      subject: m,
      description: m,
      // The built-in category every tenant has: a probe adds no tenant-wide configuration.
      categoryKey: 'general',
      priority: 'normal',
      channel: 'field',
      unitId: at?.unitId ?? side.dir.unit('HQ'),
    }),
  );
  return { id: r.ticketId, marker: m };
}

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  fs_user: { unitScoped: true, create: (side, at) => newUser(side, at) },
  fs_technician: { unitScoped: true, create: (side, at) => technician(side, at) },
  fs_slot: {
    unitScoped: true,
    async create(side, at) {
      const tech = await technician(side, at);
      return { id: await slot(side, tech.id), marker: tech.marker };
    },
  },
  fs_ticket: { unitScoped: true, create: (side, at) => ticket(side, at) },
  work_order: {
    unitScoped: true,
    async create(side, at) {
      const tk = await ticket(side, at);
      const tech = await technician(side, at);
      const slotId = await slot(side, tech.id);
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into fs_work_orders (tenant_id, id, number, ticket_id, unit_id, technician_id, slot_id, skill, area, address)
          values (${side.dir.tenantId}, ${id}, ${tk.marker}, ${tk.id}, ${at?.unitId ?? side.dir.unit('HQ')}, ${tech.id},
            ${slotId}, '空调', ${tech.marker}, ${tk.marker})`.execute(tx),
      );
      return { id, marker: tk.marker };
    },
  },
  predictive_rule: {
    unitScoped: true,
    async create(side, at) {
      const m = marker('PR');
      const id = newId();
      await inSide(side, (tx) =>
        sql`insert into fs_predictive_rules (tenant_id, id, unit_id, name, segment_id, category_key, daily_cap)
          values (${side.dir.tenantId}, ${id}, ${at?.unitId ?? side.dir.unit('HQ')}, ${m}, ${newId()}, 'fs_repair', 5)`.execute(
          tx,
        ),
      );
      return { id, marker: m };
    },
  },
};

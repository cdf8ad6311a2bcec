import { randomBytes } from 'node:crypto';
import type {
  CheckInInput,
  CompleteInput,
  Slot,
  SlotsInput,
  WorkOrder,
  WorkOrderInput,
} from '@kehu/contracts/field-service';
import { sql } from 'kysely';
import sharp from 'sharp';
import { type Actor, writeAudit } from '../../../core/audit/audit.ts';
import { can, type Principal } from '../../../core/auth/principal.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../../core/errors.ts';
import { emitEvent } from '../../../core/events/outbox.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { newId } from '../../../core/ids.ts';
import { fsProblem, fsText } from '../field-service.messages.ts';
import { todayStart } from '../predictive/run.service.ts';
import { closeTicketAfterVisit, ticketFacts } from './ticket-port.ts';

export const PHOTO_LIMIT = 8 * 1024 * 1024;
export const MAX_PHOTOS = 12;
/** Appointment windows are entered in China time (the tenants this serves); stored as instants. */
const TZ = '+08:00';
const DAY_MS = 86_400_000;

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);
const maskPhone = (s: string | null) => (s ? `${s.slice(0, 3)}****${s.slice(-4)}` : null);

/** Metres between two points (haversine): how far from the customer's address a check-in happened. */
export function distanceM(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const R = 6_371_000;
  const rad = (x: number) => (x * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return Math.round(2 * R * Math.asin(Math.sqrt(h)));
}

// ---------- slots ----------

export async function listSlots(
  tx: Tx,
  p: Principal,
  q: { day?: string; technicianId?: string; area?: string; skill?: string },
): Promise<{ items: Slot[] }> {
  const from = q.day ? new Date(`${q.day}T00:00:00${TZ}`) : todayStart(new Date());
  const to = new Date(from.getTime() + (q.day ? 1 : 7) * DAY_MS);
  const r = await sql<any>`select s.* from fs_slots s
    join fs_technicians t on t.tenant_id = s.tenant_id and t.user_id = s.technician_id
    join users u on u.tenant_id = s.tenant_id and u.id = s.technician_id
    where s.tenant_id = ${p.tenantId} and u.unit_id = any(${p.subtreeUnitIds}::uuid[])
      and s.starts_at >= ${from} and s.starts_at < ${to}
      ${q.technicianId ? sql`and s.technician_id = ${q.technicianId}` : sql``}
      ${q.area ? sql`and ${q.area} = any(t.areas)` : sql``}
      ${q.skill ? sql`and ${q.skill} = any(t.skills)` : sql``}
    order by s.starts_at, s.technician_id limit 500`.execute(tx);
  return {
    items: r.rows.map((s) => ({
      id: s.id,
      technicianId: s.technician_id,
      startsAt: iso(s.starts_at)!,
      endsAt: iso(s.ends_at)!,
      capacity: s.capacity,
      booked: s.booked,
    })),
  };
}

/** Opens a technician's windows for a day; a window that overlaps one of theirs is refused (422). */
export async function createSlots(tx: Tx, p: Principal, actor: Actor, input: SlotsInput, locale: Locale) {
  const t = p.tenantId;
  const tech = (
    await sql`select 1 from fs_technicians f join users u on u.tenant_id = f.tenant_id and u.id = f.user_id
      where f.tenant_id = ${t} and f.user_id = ${input.technicianId} and u.unit_id = any(${p.subtreeUnitIds}::uuid[])`.execute(
      tx,
    )
  ).rows[0];
  if (!tech) throw notFound('technician');
  const windows = input.windows.map((w, i) => ({
    i,
    from: new Date(`${input.day}T${w.from}:00${TZ}`),
    to: new Date(`${input.day}T${w.to}:00${TZ}`),
  }));
  const bad = windows.filter((w) => w.to <= w.from);
  if (bad.length)
    throw fsProblem(
      'validation',
      locale,
      'slot_window',
      {},
      bad.map((w) => ({
        field: `windows.${w.i}.to`,
        code: 'field_service.slot_window',
        message: fsText(locale, 'slot_window'),
      })),
    );
  // Serialise slot changes per technician so two overlapping windows cannot both pass the check.
  await sql`select pg_advisory_xact_lock(hashtext(${`fs-slots:${t}:${input.technicianId}`}))`.execute(tx);
  const overlapping: number[] = [];
  for (const w of windows) {
    const clash =
      windows.some((o) => o.i !== w.i && o.from < w.to && w.from < o.to) ||
      (
        await sql`select 1 from fs_slots where tenant_id = ${t} and technician_id = ${input.technicianId}
          and starts_at < ${w.to} and ends_at > ${w.from} limit 1`.execute(tx)
      ).rows.length > 0;
    if (clash) overlapping.push(w.i);
  }
  if (overlapping.length)
    throw fsProblem(
      'validation',
      locale,
      'slot_overlap',
      {},
      overlapping.map((i) => ({
        field: `windows.${i}.from`,
        code: 'field_service.slot_overlap',
        message: fsText(locale, 'slot_overlap'),
      })),
    );
  for (const w of windows)
    await sql`insert into fs_slots (tenant_id, id, technician_id, starts_at, ends_at, capacity)
      values (${t}, ${newId()}, ${input.technicianId}, ${w.from}, ${w.to}, ${input.capacity})`.execute(tx);
  await writeAudit(tx as any, actor, { action: 'create', object: 'fs_slot', recordId: input.technicianId });
  return listSlots(tx, p, { day: input.day, technicianId: input.technicianId });
}

// ---------- work orders ----------

const WO_SQL = (t: string) => sql`select w.*, u.name as technician_name, s.starts_at, s.ends_at,
    (select coalesce(json_agg(ph.id order by ph.created_at), '[]') from fs_photos ph
      where ph.tenant_id = w.tenant_id and ph.work_order_id = w.id) as photos
  from fs_work_orders w
  join users u on u.tenant_id = w.tenant_id and u.id = w.technician_id
  join fs_slots s on s.tenant_id = w.tenant_id and s.id = w.slot_id
  where w.tenant_id = ${t}`;

/** Mine (the technician on it), or my unit and below with `field_service:read`. */
const visible = (p: Principal) =>
  can(p, 'field_service:read')
    ? sql`(w.technician_id = ${p.userId} or w.unit_id = any(${p.subtreeUnitIds}::uuid[]))`
    : sql`w.technician_id = ${p.userId}`;

async function toWorkOrders(tx: Tx, p: Principal, rows: any[]): Promise<WorkOrder[]> {
  const facts = await ticketFacts(
    tx,
    p.tenantId,
    rows.map((r) => r.ticket_id),
  );
  const unmask = can(p, 'profile:unmask');
  return rows.map((w) => ({
    id: w.id,
    number: w.number,
    ticketId: w.ticket_id,
    ticketNumber: facts.get(w.ticket_id)?.number ?? null,
    subject: facts.get(w.ticket_id)?.subject ?? null,
    status: w.status,
    technicianId: w.technician_id,
    technicianName: w.technician_name,
    skill: w.skill,
    area: w.area,
    address: w.address,
    lat: w.lat,
    lng: w.lng,
    customerName: w.customer_name,
    // The technician on the job calls the customer; others see the number masked.
    customerPhone: w.technician_id === p.userId || unmask ? w.customer_phone : maskPhone(w.customer_phone),
    startsAt: iso(w.starts_at)!,
    endsAt: iso(w.ends_at)!,
    checkInAt: iso(w.check_in_at),
    checkInDistanceM: w.check_in_distance_m,
    checkOutAt: iso(w.check_out_at),
    checkOutDistanceM: w.check_out_distance_m,
    parts: w.parts ?? [],
    notes: w.notes,
    signedBy: w.signed_by,
    hasSignature: w.signature !== null,
    photos: w.photos ?? [],
    ticketClosed: w.ticket_closed,
    version: w.version,
  }));
}

export async function listWorkOrders(
  tx: Tx,
  p: Principal,
  q: { day?: string; status?: string; mine?: boolean },
): Promise<{ items: WorkOrder[] }> {
  const from = q.day ? new Date(`${q.day}T00:00:00${TZ}`) : null;
  const r =
    await sql<any>`${WO_SQL(p.tenantId)} and ${q.mine ? sql`w.technician_id = ${p.userId}` : visible(p)}
    ${from ? sql`and s.starts_at >= ${from} and s.starts_at < ${new Date(from.getTime() + DAY_MS)}` : sql``}
    ${q.status ? sql`and w.status = ${q.status}` : sql``}
    order by s.starts_at desc, w.id limit 200`.execute(tx);
  const items = await toWorkOrders(tx, p, r.rows);
  // The technician's day reads top to bottom: earliest first.
  if (q.mine) items.reverse();
  return { items };
}

async function loadRow(tx: Tx, p: Principal, id: string, lock = false) {
  const r = (
    await sql<any>`${WO_SQL(p.tenantId)} and w.id = ${id} and ${visible(p)} ${lock ? sql`for update of w` : sql``}`.execute(
      tx,
    )
  ).rows[0];
  if (!r) throw notFound('work_order');
  return r;
}

export async function getWorkOrder(tx: Tx, p: Principal, id: string): Promise<WorkOrder> {
  return (await toWorkOrders(tx, p, [await loadRow(tx, p, id)]))[0]!;
}

/**
 * A work order from a ticket: the given slot, or the first free slot that day of an active
 * technician with the skill and area (fewest jobs that day first). Booking is a conditional
 * UPDATE (`booked < capacity`): under concurrency a slot is never booked past its capacity —
 * the loser of a race tries the next candidate, or gets 409 for an explicit slot.
 */
export async function createWorkOrder(
  tx: Tx,
  p: Principal,
  actor: Actor,
  input: WorkOrderInput,
  locale: Locale,
): Promise<WorkOrder> {
  const t = p.tenantId;
  const ticket = (await ticketFacts(tx, t, [input.ticketId])).get(input.ticketId);
  const ticketErr = (key: string) =>
    fsProblem('validation', locale, key, {}, [{ field: 'ticketId', code: `field_service.${key}` }]);
  if (!ticket || (ticket.unitId && !p.subtreeUnitIds.includes(ticket.unitId)))
    throw ticketErr('ticket_unknown');
  if (ticket.status === 'closed') throw ticketErr('ticket_closed');
  const live = await sql`select 1 from fs_work_orders where tenant_id = ${t} and ticket_id = ${input.ticketId}
    and status <> 'cancelled'`.execute(tx);
  if (live.rows.length) throw fsProblem('conflict', locale, 'ticket_has_order');

  let booked: { id: string; technician_id: string } | undefined;
  const book = async (slotId: string) =>
    (
      await sql<{ id: string; technician_id: string }>`update fs_slots set booked = booked + 1
        where tenant_id = ${t} and id = ${slotId} and booked < capacity and starts_at > now()
        returning id, technician_id`.execute(tx)
    ).rows[0];
  if (input.slotId) {
    const s = (
      await sql`select 1 from fs_slots s join users u on u.tenant_id = s.tenant_id and u.id = s.technician_id
        where s.tenant_id = ${t} and s.id = ${input.slotId} and u.unit_id = any(${p.subtreeUnitIds}::uuid[])`.execute(
        tx,
      )
    ).rows[0];
    if (!s) throw notFound('fs_slot');
    booked = await book(input.slotId);
    if (!booked) throw fsProblem('conflict', locale, 'slot_full');
  } else {
    const from = input.day ? new Date(`${input.day}T00:00:00${TZ}`) : todayStart(new Date());
    const to = new Date(from.getTime() + DAY_MS);
    const candidates = (
      await sql<{ id: string }>`select s.id from fs_slots s
        join fs_technicians f on f.tenant_id = s.tenant_id and f.user_id = s.technician_id
        join users u on u.tenant_id = s.tenant_id and u.id = s.technician_id
        where s.tenant_id = ${t} and f.active and u.status = 'active' and u.unit_id = any(${p.subtreeUnitIds}::uuid[])
          and ${input.skill} = any(f.skills) and ${input.area} = any(f.areas)
          and s.starts_at >= ${from} and s.starts_at < ${to} and s.starts_at > now() and s.booked < s.capacity
        order by (select count(*) from fs_work_orders w join fs_slots x on x.tenant_id = w.tenant_id and x.id = w.slot_id
            where w.tenant_id = s.tenant_id and w.technician_id = s.technician_id and w.status <> 'cancelled'
              and x.starts_at >= ${from} and x.starts_at < ${to}), s.starts_at, s.id
        limit 20`.execute(tx)
    ).rows;
    for (const c of candidates) {
      booked = await book(c.id);
      if (booked) break;
    }
    if (!booked)
      throw fsProblem('validation', locale, 'no_technician', {}, [
        { field: 'day', code: 'field_service.no_technician', message: fsText(locale, 'no_technician') },
      ]);
  }
  const id = newId();
  const number = `FS${new Date(Date.now() + 8 * 3600_000).toISOString().slice(2, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
  await sql`insert into fs_work_orders (tenant_id, id, number, ticket_id, unit_id, technician_id, slot_id, skill, area,
      address, lat, lng, customer_name, customer_phone, created_by)
    values (${t}, ${id}, ${number}, ${input.ticketId}, ${ticket.unitId ?? p.unitId}, ${booked.technician_id}, ${booked.id},
      ${input.skill}, ${input.area}, ${input.address}, ${input.lat ?? null}, ${input.lng ?? null},
      ${input.customerName ?? null}, ${input.customerPhone ?? null}, ${p.userId})`.execute(tx);
  await writeAudit(tx as any, actor, { action: 'create', object: 'work_order', recordId: id });
  await emitEvent(tx, t, {
    type: 'work_order.scheduled',
    object: 'work_order',
    recordId: id,
    payload: { id, ticketId: input.ticketId, technicianId: booked.technician_id, slotId: booked.id },
  });
  return getWorkOrder(tx, p, id);
}

function mustBeMine(p: Principal, w: any, locale: Locale) {
  if (w.technician_id !== p.userId) throw fsProblem('forbidden', locale, 'not_yours');
}
function mustBe(w: any, statuses: string[], locale: Locale) {
  if (!statuses.includes(w.status)) throw fsProblem('conflict', locale, 'wrong_status', { status: w.status });
}

export async function checkIn(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  input: CheckInInput,
  locale: Locale,
) {
  const w = await loadRow(tx, p, id, true);
  mustBeMine(p, w, locale);
  if (w.version !== input.version) throw fsProblem('conflict', locale, 'stale');
  mustBe(w, ['scheduled'], locale);
  const d = w.lat !== null && w.lng !== null ? distanceM({ lat: w.lat, lng: w.lng }, input) : null;
  await sql`update fs_work_orders set status = 'checked_in', check_in_at = now(), check_in_lat = ${input.lat},
      check_in_lng = ${input.lng}, check_in_distance_m = ${d}, version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx as any, actor, { action: 'check_in', object: 'work_order', recordId: id });
  return getWorkOrder(tx, p, id);
}

/**
 * A photo of the job (technician, while checked in): re-encoded with sharp to a JPEG of at most
 * 1600 px — whatever the phone sent (HEIC, PNG, a huge JPEG), what is stored is small, upright
 * and without EXIF (no GPS trail of the customer's home in the file).
 */
export async function addPhoto(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  bytes: Buffer,
  locale: Locale,
) {
  const w = await loadRow(tx, p, id, true);
  mustBeMine(p, w, locale);
  mustBe(w, ['checked_in'], locale);
  if ((w.photos ?? []).length >= MAX_PHOTOS)
    throw fsProblem('conflict', locale, 'photo_too_many', { max: MAX_PHOTOS });
  let out: { data: Buffer; info: { width: number; height: number } };
  try {
    out = await sharp(bytes, { limitInputPixels: 50_000_000, failOn: 'error' })
      .rotate()
      .resize({ width: 1600, height: 1600, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
  } catch {
    throw fsProblem('validation', locale, 'photo_invalid', {}, [
      { field: 'file', code: 'field_service.photo_invalid', message: fsText(locale, 'photo_invalid') },
    ]);
  }
  const photoId = newId();
  await sql`insert into fs_photos (tenant_id, id, work_order_id, bytes, width, height, created_by)
    values (${p.tenantId}, ${photoId}, ${id}, ${out.data}, ${out.info.width}, ${out.info.height}, ${p.userId})`.execute(
    tx,
  );
  await sql`update fs_work_orders set version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx as any, actor, { action: 'create', object: 'work_order_photo', recordId: photoId });
  return getWorkOrder(tx, p, id);
}

export async function photoBytes(tx: Tx, p: Principal, id: string, photoId: string): Promise<Buffer> {
  await loadRow(tx, p, id);
  const r = (
    await sql<{
      bytes: Buffer;
    }>`select bytes from fs_photos where tenant_id = ${p.tenantId} and id = ${photoId}
      and work_order_id = ${id}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('work_order_photo');
  return r.bytes;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Check-out and completion (technician, checked in): parts used, notes, the customer's signature
 * (a PNG from the canvas, checked to be one) — then the ticket is closed, which starts the return visit.
 */
export async function completeWorkOrder(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  input: CompleteInput,
  locale: Locale,
) {
  const w = await loadRow(tx, p, id, true);
  mustBeMine(p, w, locale);
  if (w.version !== input.version) throw fsProblem('conflict', locale, 'stale');
  mustBe(w, ['checked_in'], locale);
  const png = Buffer.from(input.signature.slice(input.signature.indexOf(',') + 1), 'base64');
  let ok = png.length > 8 && png.subarray(0, 8).equals(PNG_MAGIC);
  if (ok)
    ok = await sharp(png)
      .metadata()
      .then(
        (m) => m.format === 'png',
        () => false,
      );
  if (!ok) throw invalid([{ field: 'signature', code: 'invalid_string' }]);
  const d =
    w.lat !== null && w.lng !== null && input.lat !== undefined && input.lng !== undefined
      ? distanceM({ lat: w.lat, lng: w.lng }, { lat: input.lat, lng: input.lng })
      : null;
  await sql`update fs_work_orders set status = 'completed', check_out_at = now(), check_out_lat = ${input.lat ?? null},
      check_out_lng = ${input.lng ?? null}, check_out_distance_m = ${d}, parts = ${JSON.stringify(input.parts)}::jsonb,
      notes = ${input.notes || null}, signature = ${png}, signed_by = ${input.signedBy}, version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  const closed = await closeTicketAfterVisit(tx, p.tenantId, w.ticket_id, p.userId, w.number);
  if (closed)
    await sql`update fs_work_orders set ticket_closed = true where tenant_id = ${p.tenantId} and id = ${id}`.execute(
      tx,
    );
  await writeAudit(tx as any, actor, { action: 'complete', object: 'work_order', recordId: id });
  await emitEvent(tx, p.tenantId, {
    type: 'work_order.completed',
    object: 'work_order',
    recordId: id,
    payload: { id, ticketId: w.ticket_id, technicianId: w.technician_id, ticketClosed: closed },
  });
  return getWorkOrder(tx, p, id);
}

/** Cancels a work order that has not started (dispatcher) and frees its place in the slot. */
export async function cancelWorkOrder(tx: Tx, p: Principal, actor: Actor, id: string, locale: Locale) {
  const w = await loadRow(tx, p, id, true);
  if (!p.subtreeUnitIds.includes(w.unit_id)) throw notFound('work_order');
  mustBe(w, ['scheduled'], locale);
  await sql`update fs_work_orders set status = 'cancelled', version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await sql`update fs_slots set booked = booked - 1 where tenant_id = ${p.tenantId} and id = ${w.slot_id} and booked > 0`.execute(
    tx,
  );
  await writeAudit(tx as any, actor, { action: 'cancel', object: 'work_order', recordId: id });
  return getWorkOrder(tx, p, id);
}

export async function signaturePng(tx: Tx, p: Principal, id: string): Promise<Buffer | null> {
  await loadRow(tx, p, id);
  return (
    (
      await sql<{
        signature: Buffer | null;
      }>`select signature from fs_work_orders where tenant_id = ${p.tenantId}
        and id = ${id}`.execute(tx)
    ).rows[0]?.signature ?? null
  );
}

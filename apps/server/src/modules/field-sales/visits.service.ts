import {
  type CheckIn,
  type CheckOut,
  type Coverage,
  type Photo,
  type PhotoQuery,
  STORE_TIERS,
  type StepInput,
  TIER_EVERY_DAYS,
  VISIT_TYPES,
  type Visit,
  type VisitCreate,
  type VisitOrderDraft,
  type VisitTaskComplete,
  type VisitType,
} from '@kehu/contracts/field-sales';
import { sql } from 'kysely';
import sharp from 'sharp';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { can } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { completeUnitTarget, listOpenUnitTasks } from '../dealer-network/index.ts';
import { catalogue, createDealerDraft } from '../dealers/index.ts';
import {
  checkPhotoProof,
  distanceMetres,
  findDuplicate,
  listStores,
  toWgs84,
} from '../trade-promotion/index.ts';
import { fslProblem, fslText } from './field-sales.messages.ts';

/** Hamming distance (of 64 bits) at or under which two visit photos are the same picture (as TPM). */
const DUPLICATE_DISTANCE = 6;
const CN = 8 * 3600_000;
export const chinaDay = (t = Date.now()) => new Date(t + CN).toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// Reading

const visitColumns = sql`v.*, v.day::text as day_text, r.name as rep_name, s.name as store_name, f.tier`;
const visitFrom = sql`fsl_visits v
  left join users r on r.tenant_id = v.tenant_id and r.id = v.rep_id
  left join units s on s.tenant_id = v.tenant_id and s.id = v.store_unit_id
  left join fsl_store_profiles f on f.tenant_id = v.tenant_id and f.unit_id = v.store_unit_id`;

/** A visit is the rep's own, or at a store of the caller's unit and below. */
const visible = (p: Principal) =>
  sql`(v.rep_id = ${p.userId} or v.store_unit_id = any(${p.subtreeUnitIds}::uuid[]))`;

type Loc = { wgsLng: number | null; wgsLat: number | null; radiusM: number | null; address: string | null };

/** Store locations as the caller's view of trade promotion has them (rep: the stores below them). */
async function locations(tx: Tx, p: Principal): Promise<Map<string, Loc>> {
  return new Map((await listStores(tx, p)).map((s) => [s.unitId, s]));
}

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);
const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : (v ?? {}));

function toPhoto(locale: Locale, r: any): Photo {
  return {
    id: r.id,
    visitId: r.visit_id,
    step: r.step,
    storeName: r.store_name ?? null,
    repName: r.rep_name ?? null,
    uploadedAt: iso(r.uploaded_at)!,
    distanceM: r.distance_m,
    status: r.status,
    flags: (json(r.flags) as { code: string; params?: Record<string, unknown> }[]).map((f) => ({
      code: f.code,
      message: fslText(locale, f.code, f.params ?? {}),
    })),
  };
}

async function toVisits(tx: Tx, p: Principal, locale: Locale, rows: any[]): Promise<Visit[]> {
  if (!rows.length) return [];
  const locs = await locations(tx, p);
  const photos = (
    await sql<any>`select id, visit_id, step, uploaded_at, distance_m, status, flags from fsl_photos
      where tenant_id = ${p.tenantId} and visit_id = any(${rows.map((r) => r.id)}::uuid[]) order by uploaded_at, id`.execute(
      tx,
    )
  ).rows;
  return rows.map((r) => {
    const loc = locs.get(r.store_unit_id);
    return {
      id: r.id,
      planId: r.plan_id,
      repId: r.rep_id,
      repName: r.rep_name ?? null,
      storeUnitId: r.store_unit_id,
      storeName: r.store_name ?? null,
      storeAddress: loc?.address ?? null,
      tier: r.tier ?? null,
      storeLng: loc?.wgsLng ?? null,
      storeLat: loc?.wgsLat ?? null,
      radiusM: loc?.radiusM ?? null,
      day: r.day_text,
      seq: r.seq,
      visitType: r.visit_type,
      steps: [...(VISIT_TYPES[r.visit_type as VisitType] ?? [])],
      status: r.status,
      checkInAt: iso(r.check_in_at),
      checkInLng: r.check_in_lng,
      checkInLat: r.check_in_lat,
      distanceM: r.distance_m,
      insideFence: r.inside_fence,
      offFenceReason: r.off_fence_reason,
      flagged: r.flagged,
      lateSync: !!r.late_sync,
      checkOutAt: iso(r.check_out_at),
      durationS: r.duration_s,
      results: json(r.results),
      tasksDone: Object.entries(json(r.links).tasks ?? {}).map(([clientId, t]: [string, any]) => ({
        clientId,
        ...t,
      })),
      orderDrafts: Object.entries(json(r.links).orders ?? {}).map(([clientId, o]: [string, any]) => ({
        clientId,
        ...o,
      })),
      photos: photos.filter((f) => f.visit_id === r.id).map((f) => toPhoto(locale, f)),
      version: r.version,
    };
  });
}

async function row(tx: Tx, p: Principal, id: string, lock = false) {
  const r = (
    await sql<any>`select ${visitColumns} from ${visitFrom}
      where v.tenant_id = ${p.tenantId} and v.id = ${id} and ${visible(p)}${lock ? sql` for update of v` : sql``}`.execute(
      tx,
    )
  ).rows[0];
  if (!r) throw notFound('fsl_visit');
  return r;
}

export async function getVisit(tx: Tx, p: Principal, locale: Locale, id: string): Promise<Visit> {
  return (await toVisits(tx, p, locale, [await row(tx, p, id)]))[0]!;
}

/** Visits of a day the caller sees (a rep: their own; a manager: their stores), in route order. */
export async function listVisits(
  tx: Tx,
  p: Principal,
  locale: Locale,
  q: { day?: string; repId?: string; mine?: boolean },
): Promise<Visit[]> {
  const rows = (
    await sql<any>`select ${visitColumns} from ${visitFrom}
      where v.tenant_id = ${p.tenantId} and v.day = ${q.day ?? chinaDay()}::date and ${visible(p)}
        ${q.mine ? sql`and v.rep_id = ${p.userId}` : sql``} ${q.repId ? sql`and v.rep_id = ${q.repId}` : sql``}
      order by r.name, v.seq, v.id limit 1000`.execute(tx)
  ).rows;
  return toVisits(tx, p, locale, rows);
}

// ---------------------------------------------------------------------------------------------
// The rep's flow. Every action names the visit by the id the phone generated and is idempotent:
// a queued action replayed after a lost answer changes nothing the second time.

/** How long the phone's offline queue may hold an action; older client times are refused. */
const OFFLINE_WINDOW_MS = 72 * 3_600_000;
/** A client time older than this on arrival is accepted but flags the visit `late_sync`. */
const LATE_SYNC_MS = 6 * 3_600_000;

/**
 * A client time (taken offline, synced later): never in the future (2 min clock skew allowed),
 * never older than the offline window, never before the visit's day (China time). `late` when it
 * arrives more than 6 h after it was taken.
 */
function clientTime(
  at: string | undefined,
  locale: Locale,
  visitDay?: string,
  now = Date.now(),
): { when: Date; late: boolean } {
  if (!at) return { when: new Date(now), late: false };
  const d = new Date(at);
  if (+d > now + 120_000)
    throw invalid([{ field: 'at', code: 'future_time', message: fslText(locale, 'future_time') }]);
  if (+d < now - OFFLINE_WINDOW_MS)
    throw invalid([{ field: 'at', code: 'too_old', message: fslText(locale, 'too_old', { hours: 72 }) }]);
  if (visitDay && +d < Date.parse(`${visitDay}T00:00:00+08:00`))
    throw invalid([
      {
        field: 'at',
        code: 'before_visit_day',
        message: fslText(locale, 'before_visit_day', { day: visitDay }),
      },
    ]);
  return { when: d, late: +d < now - LATE_SYNC_MS };
}

function mine(p: Principal, r: any, locale: Locale) {
  if (r.rep_id !== p.userId) throw fslProblem('forbidden', locale, 'not_yours');
}

/** An unplanned visit started on the phone (also offline): the same id twice is one visit. */
export async function createVisit(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: VisitCreate,
): Promise<Visit> {
  const prior = (
    await sql<any>`select rep_id from fsl_visits where tenant_id = ${p.tenantId} and id = ${input.id}`.execute(
      tx,
    )
  ).rows[0];
  if (prior) {
    // Someone else's id (guessed or colliding) is not found, not disclosed.
    if (prior.rep_id !== p.userId) throw notFound('fsl_visit');
    return getVisit(tx, p, locale, input.id);
  }
  const s = (
    await sql<any>`select u.type, f.rep_id from units u
      left join fsl_store_profiles f on f.tenant_id = u.tenant_id and f.unit_id = u.id
      where u.tenant_id = ${p.tenantId} and u.id = ${input.storeUnitId} and u.deleted_at is null`.execute(tx)
  ).rows[0];
  if (!s || !p.subtreeUnitIds.includes(input.storeUnitId))
    throw invalid([
      { field: 'storeUnitId', code: 'store_not_yours', message: fslText(locale, 'store_not_yours') },
    ]);
  if (s.type !== 'store')
    throw invalid([{ field: 'storeUnitId', code: 'not_store', message: fslText(locale, 'not_store') }]);
  const { when, late } = clientTime(input.at, locale);
  await sql`insert into fsl_visits (tenant_id, id, rep_id, store_unit_id, day, seq, visit_type, created_by, late_sync)
    values (${p.tenantId}, ${input.id}, ${p.userId}, ${input.storeUnitId}, ${chinaDay(+when)}::date, 999,
      ${input.visitType}, ${p.userId}, ${late}) on conflict do nothing`.execute(tx);
  await writeAudit(tx as any, actor, { action: 'create', object: 'fsl_visit', recordId: input.id });
  return getVisit(tx, p, locale, input.id);
}

/**
 * Check in: the phone's position against the store's geofence (trade promotion's store location,
 * WGS-84/GCJ-02/BD-09 converted with its gcoord helper). Outside the fence, or without a
 * position, the rep must say why and the visit is flagged for the manager.
 */
export async function checkIn(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  input: CheckIn,
): Promise<Visit> {
  const r = await row(tx, p, id, true);
  mine(p, r, locale);
  // Replayed from the offline queue: the first check-in stands.
  if (r.status !== 'planned') return getVisit(tx, p, locale, id);
  const { when, late } = clientTime(input.at, locale, r.day_text);
  const loc = (await locations(tx, p)).get(r.store_unit_id);
  let distance: number | null = null;
  let inside: boolean | null = null;
  let wgs: [number, number] | null = null;
  if (input.lng != null && input.lat != null) {
    wgs = toWgs84(input.lng, input.lat, input.coordSystem);
    if (loc?.wgsLng != null && loc.wgsLat != null) {
      distance = Math.round(distanceMetres(wgs, [loc.wgsLng, loc.wgsLat]));
      inside = distance <= (loc.radiusM ?? 300);
    }
  }
  if (!inside && !input.reason) {
    const key = wgs && distance !== null ? 'reason_required' : 'reason_no_location';
    throw fslProblem(
      'validation',
      locale,
      key,
      { metres: distance, radius: loc?.radiusM ?? 300 },
      [
        {
          field: 'reason',
          code: key,
          message: fslText(locale, key, { metres: distance, radius: loc?.radiusM ?? 300 }),
        },
      ],
      { distanceM: distance },
    );
  }
  await sql`update fsl_visits set status = 'in_progress', check_in_at = ${when}, check_in_lng = ${wgs?.[0] ?? null},
      check_in_lat = ${wgs?.[1] ?? null}, check_in_accuracy_m = ${input.accuracyM ?? null}, distance_m = ${distance},
      inside_fence = ${inside}, off_fence_reason = ${inside ? null : (input.reason ?? null)}, flagged = ${!inside},
      late_sync = late_sync or ${late}, version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx as any, actor, {
    action: 'check_in',
    object: 'fsl_visit',
    recordId: id,
    meta: { distanceM: distance, inside },
  });
  return getVisit(tx, p, locale, id);
}

function stepAllowed(r: any, step: string, locale: Locale) {
  if (!(VISIT_TYPES[r.visit_type as VisitType] as readonly string[]).includes(step))
    throw invalid([
      { field: 'step', code: 'step_not_in_type', message: fslText(locale, 'step_not_in_type', { step }) },
    ]);
}

/**
 * A step's result (inventory count, competitor prices, order intent, HQ task note). The last
 * write of a step wins, so a replay of the same queued action is harmless. The links to HQ tasks
 * and dealer order drafts are below (`completeVisitTask`, `draftVisitOrder`).
 */
export async function saveStep(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  input: StepInput,
): Promise<Visit> {
  const r = await row(tx, p, id, true);
  mine(p, r, locale);
  stepAllowed(r, input.step, locale);
  if (input.step === 'shelf_photo')
    throw invalid([{ field: 'step', code: 'photo_step', message: fslText(locale, 'photo_step') }]);
  if (r.status === 'planned') throw fslProblem('conflict', locale, 'not_checked_in');
  if (r.status === 'done') throw fslProblem('conflict', locale, 'already_done');
  const errors = input.items.flatMap((it, i) =>
    (input.step === 'inventory' || input.step === 'order_intent') && it.qty == null
      ? [{ field: `items.${i}.qty`, code: 'qty_required', message: fslText(locale, 'qty_required') }]
      : input.step === 'competitor_price' && (it.price == null || !it.brand)
        ? [{ field: `items.${i}.price`, code: 'price_required', message: fslText(locale, 'price_required') }]
        : [],
  );
  if (errors.length) throw invalid(errors);
  const t = clientTime(input.at, locale, r.day_text);
  const result = { items: input.items, note: input.note ?? null, at: t.when.toISOString() };
  await sql`update fsl_visits set results = results || jsonb_build_object(${input.step}::text, ${JSON.stringify(result)}::jsonb),
      late_sync = late_sync or ${t.late}, version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx as any, actor, {
    action: 'update',
    object: 'fsl_visit',
    recordId: id,
    meta: { step: input.step },
  });
  return getVisit(tx, p, locale, id);
}

// ---------------------------------------------------------------------------------------------
// Links: HQ tasks (dealer-network) and dealer order drafts (dealers), taken during a visit.

const TASKS_WORK = 'dealer_network:tasks_work';
const DEALER_ORDER = 'dealers:order';

/** The rep's own visit, checked in and not yet done, where a linked action is taken. */
async function openVisit(tx: Tx, p: Principal, locale: Locale, id: string, step: string) {
  const r = await row(tx, p, id, true);
  mine(p, r, locale);
  stepAllowed(r, step, locale);
  return r;
}

/** The open HQ tasks of the visit's store (anyone who sees the visit). */
export async function visitTasks(tx: Tx, p: Principal, id: string) {
  const r = await row(tx, p, id);
  const items = await listOpenUnitTasks(tx, p.tenantId, r.store_unit_id);
  return {
    items: items.map((t) => ({
      targetId: t.target.id,
      taskId: t.id,
      title: t.title,
      body: t.body,
      kind: t.kind,
      proof: t.proof,
      dueAt: t.dueAt,
      overdue: t.target.overdue,
      fromUnitName: t.unitName,
      version: t.target.version,
    })),
  };
}

/**
 * The rep completes one of the store's HQ tasks from the visit, acting for the store: allowed to
 * the visit's own rep, checked in (not done), holding `dealer_network:tasks_work` — the right the
 * store's people complete their tasks with. dealer-network's completion applies (proof, version →
 * 409, done once). The phone's client id makes a replay a no-op.
 */
export async function completeVisitTask(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  input: VisitTaskComplete,
): Promise<Visit> {
  const r = await openVisit(tx, p, locale, id, 'hq_task');
  const links = json(r.links);
  if (links.tasks?.[input.clientId]) return getVisit(tx, p, locale, id);
  if (!can(p, TASKS_WORK)) throw fslProblem('forbidden', locale, 'no_task_rights');
  if (r.status === 'planned') throw fslProblem('conflict', locale, 'not_checked_in');
  if (r.status === 'done') throw fslProblem('conflict', locale, 'already_done');
  const { clientId, targetId, ...proof } = input;
  const t = await completeUnitTarget(tx, p, actor, locale, r.store_unit_id, targetId, proof);
  const at = new Date().toISOString();
  await sql`update fsl_visits set links = jsonb_set(links, '{tasks}', coalesce(links->'tasks', '{}'::jsonb)
        || jsonb_build_object(${clientId}::text, ${JSON.stringify({ targetId, title: t.title, at })}::jsonb)),
      version = version + 1, updated_at = now() where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  return getVisit(tx, p, locale, id);
}

/**
 * The dealer above the store, for ordering: the rep must hold `dealers:order` (a dealer's own
 * people: a dealer's manager visiting its stores) and the dealer must lie in the rep's tree.
 * Without the right: 403; a store with no dealer above it in the rep's view: a field error.
 */
async function storeDealer(tx: Tx, p: Principal, locale: Locale, storeUnitId: string) {
  if (!can(p, DEALER_ORDER)) throw fslProblem('forbidden', locale, 'no_dealer_rights');
  const d = (
    await sql<any>`select d.id, d.name from units s join units d on d.tenant_id = s.tenant_id
        and d.type = 'dealer' and d.deleted_at is null and s.path like d.path || '%'
      where s.tenant_id = ${p.tenantId} and s.id = ${storeUnitId}
      order by length(d.path) desc limit 1`.execute(tx)
  ).rows[0];
  if (!d || !p.subtreeUnitIds.includes(d.id))
    throw invalid([{ field: 'lines', code: 'no_dealer', message: fslText(locale, 'no_dealer') }]);
  return d as { id: string; name: string };
}

/** The products the rep can order for the store's dealer, at that dealer's prices today. */
export async function visitCatalogue(tx: Tx, p: Principal, locale: Locale, id: string) {
  const r = await row(tx, p, id);
  mine(p, r, locale);
  const d = await storeDealer(tx, p, locale, r.store_unit_id);
  const items = await catalogue(tx, p, locale, d.id);
  return {
    dealerUnitId: d.id,
    dealerName: d.name,
    items: items.map((i) => ({
      productId: i.productId,
      name: i.name,
      uom: i.uom,
      price: i.price,
      minOrderQty: i.minOrderQty,
    })),
  };
}

/**
 * Order taking: a dealer order **draft** for the store's dealer through dealers' draft creation
 * (its price policy and product checks); the dealer reviews and submits it in the portal. Once per
 * client id: a replay returns the visit with the same draft.
 */
export async function draftVisitOrder(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  input: VisitOrderDraft,
): Promise<Visit> {
  const r = await openVisit(tx, p, locale, id, 'order_intent');
  const links = json(r.links);
  if (links.orders?.[input.clientId]) return getVisit(tx, p, locale, id);
  if (r.status === 'planned') throw fslProblem('conflict', locale, 'not_checked_in');
  if (r.status === 'done') throw fslProblem('conflict', locale, 'already_done');
  const d = await storeDealer(tx, p, locale, r.store_unit_id);
  const o = await createDealerDraft(tx, p, actor, locale, d.id, {
    lines: input.lines,
    note: input.note ?? fslText(locale, 'draft_note', { store: r.store_name ?? '' }),
  });
  const link = {
    orderId: o.id,
    orderNo: o.orderNo,
    total: o.total,
    dealerName: o.dealerName,
    at: o.createdAt,
  };
  await sql`update fsl_visits set links = jsonb_set(links, '{orders}', coalesce(links->'orders', '{}'::jsonb)
        || jsonb_build_object(${input.clientId}::text, ${JSON.stringify(link)}::jsonb)),
      version = version + 1, updated_at = now() where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  return getVisit(tx, p, locale, id);
}

export async function checkOut(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  input: CheckOut,
): Promise<Visit> {
  const r = await row(tx, p, id, true);
  mine(p, r, locale);
  if (r.status === 'done') return getVisit(tx, p, locale, id);
  if (r.status !== 'in_progress') throw fslProblem('conflict', locale, 'not_checked_in');
  const { when, late } = clientTime(input.at, locale, r.day_text);
  const duration = Math.max(0, Math.round((+when - +new Date(r.check_in_at)) / 1000));
  await sql`update fsl_visits set status = 'done', check_out_at = ${when}, duration_s = ${duration},
      late_sync = late_sync or ${late}, version = version + 1, updated_at = now() where tenant_id = ${p.tenantId} and id = ${id}`.execute(
    tx,
  );
  await writeAudit(tx as any, actor, {
    action: 'check_out',
    object: 'fsl_visit',
    recordId: id,
    meta: { duration },
  });
  return getVisit(tx, p, locale, id);
}

/**
 * A shelf/display photo through trade promotion's proof checks (watermark with time, place, store
 * and rep; geofence; EXIF; perceptual hash). A re-used picture — an earlier visit photo or a TPM
 * proof — is flagged, not refused. The photo id comes from the phone: a replay stores nothing new.
 * sharp runs between two short transactions, holding no connection.
 */
export async function addPhoto(
  database: Database,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  q: PhotoQuery,
  bytes: Buffer,
): Promise<Visit> {
  const db = <T>(fn: (tx: Tx) => Promise<T>, readOnly = false) =>
    inTenant(database.db, p.tenantId, fn, { readOnly });
  const ctx = await db(async (tx) => {
    const r = await row(tx, p, id);
    mine(p, r, locale);
    const prior = (
      await sql<any>`select visit_id from fsl_photos where tenant_id = ${p.tenantId} and id = ${q.photoId}`.execute(
        tx,
      )
    ).rows[0];
    if (prior) {
      if (prior.visit_id !== id) throw notFound('fsl_photo');
      return { replay: true as const };
    }
    if (r.status === 'planned') throw fslProblem('conflict', locale, 'not_checked_in');
    if (r.status === 'done') throw fslProblem('conflict', locale, 'already_done');
    stepAllowed(r, q.step, locale);
    const loc = (await locations(tx, p)).get(r.store_unit_id);
    return { replay: false as const, r, loc };
  }, true);
  if (ctx.replay) return db((tx) => getVisit(tx, p, locale, id), true);
  try {
    await sharp(bytes, { limitInputPixels: 50_000_000 }).metadata();
  } catch {
    throw fslProblem('validation', locale, 'photo_invalid', {}, [
      { field: 'file', code: 'photo_invalid', message: fslText(locale, 'photo_invalid') },
    ]);
  }
  const uploadedAt = new Date();
  const { r, loc } = ctx;
  const check = await checkPhotoProof({
    image: bytes,
    lng: q.lng ?? r.check_in_lng,
    lat: q.lat ?? r.check_in_lat,
    coordSystem: q.lng != null ? q.coordSystem : 'wgs84',
    takenAt: q.takenAt ? new Date(q.takenAt) : null,
    uploadedAt,
    store:
      loc?.wgsLng != null && loc.wgsLat != null
        ? { name: r.store_name, wgsLng: loc.wgsLng, wgsLat: loc.wgsLat, radiusM: loc.radiusM ?? 300 }
        : null,
    storeName: r.store_name ?? '',
    userName: p.userName,
    activityName: fslText(locale, 'visit_photo'),
  });
  return db(async (tx) => {
    const v = await row(tx, p, id, true);
    const again = (
      await sql<any>`select 1 from fsl_photos where tenant_id = ${p.tenantId} and id = ${q.photoId}`.execute(
        tx,
      )
    ).rows[0];
    if (!again) {
      if (v.status === 'done') throw fslProblem('conflict', locale, 'already_done');
      const flags = [...check.flags];
      const h = check.dhash.toString();
      const own = (
        await sql<any>`select id, bit_count((dhash # ${h}::bigint)::bit(64))::int as d from fsl_photos
          where tenant_id = ${p.tenantId} and bit_count((dhash # ${h}::bigint)::bit(64)) <= ${DUPLICATE_DISTANCE}
          order by d, uploaded_at limit 1`.execute(tx)
      ).rows[0];
      const tpm = own ? null : await findDuplicate(tx, p.tenantId, check.dhash);
      const dup = own ? { id: own.id, distance: own.d } : tpm;
      if (dup) flags.push({ code: 'duplicate_photo', duplicateOf: dup.id, params: { bits: dup.distance } });
      await sql`insert into fsl_photos (tenant_id, id, visit_id, step, uploaded_by, uploaded_at, taken_at, distance_m,
          dhash, sha256, flags, status, image, thumb)
        values (${p.tenantId}, ${q.photoId}, ${id}, ${q.step}, ${p.userId}, ${uploadedAt}, ${q.takenAt ?? null},
          ${check.distanceM}, ${h}::bigint, ${check.sha256}, ${JSON.stringify(flags)}::jsonb,
          ${flags.some((f) => f.code === 'duplicate_photo' || f.code === 'outside_geofence' || f.code === 'edited_software') ? 'flagged' : 'accepted'},
          ${check.watermarked}, ${check.thumb})`.execute(tx);
      await sql`update fsl_visits set version = version + 1, updated_at = now()
        where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
      await writeAudit(tx as any, actor, {
        action: 'create',
        object: 'fsl_photo',
        recordId: q.photoId,
        meta: { visitId: id, flags: flags.map((f) => f.code) },
      });
    }
    return getVisit(tx, p, locale, id);
  });
}

/** A visit photo (watermarked JPEG, or its thumbnail) the caller's visit view includes. */
export async function photoBytes(tx: Tx, p: Principal, id: string, thumb: boolean): Promise<Buffer> {
  const r = (
    await sql<any>`select f.visit_id, ${thumb ? sql`f.thumb` : sql`f.image`} as bytes from fsl_photos f
      join fsl_visits v on v.tenant_id = f.tenant_id and v.id = f.visit_id
      where f.tenant_id = ${p.tenantId} and f.id = ${id} and ${visible(p)}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('fsl_photo');
  return Buffer.from(r.bytes);
}

export async function listPhotos(
  tx: Tx,
  p: Principal,
  locale: Locale,
  q: { from?: string; to?: string; repId?: string },
): Promise<Photo[]> {
  const to = q.to ?? chinaDay();
  const from = q.from ?? chinaDay(Date.parse(`${to}T00:00:00Z`) - 6 * 86_400_000 - CN + 12 * 3600_000);
  const rows = (
    await sql<any>`select f.id, f.visit_id, f.step, f.uploaded_at, f.distance_m, f.status, f.flags,
        s.name as store_name, r.name as rep_name
      from fsl_photos f join fsl_visits v on v.tenant_id = f.tenant_id and v.id = f.visit_id
      left join units s on s.tenant_id = v.tenant_id and s.id = v.store_unit_id
      left join users r on r.tenant_id = v.tenant_id and r.id = v.rep_id
      where f.tenant_id = ${p.tenantId} and v.day between ${from}::date and ${to}::date and ${visible(p)}
        ${q.repId ? sql`and v.rep_id = ${q.repId}` : sql``}
      order by f.uploaded_at desc, f.id limit 200`.execute(tx)
  ).rows;
  return rows.map((r) => toPhoto(locale, r));
}

// ---------------------------------------------------------------------------------------------
// Coverage: planned vs done by store tier, over the stores of the caller's unit and below.

export async function coverage(tx: Tx, p: Principal, q: { from?: string; to?: string }): Promise<Coverage> {
  const to = q.to ?? chinaDay();
  const from = q.from ?? chinaDay(Date.parse(`${to}T12:00:00Z`) - 27 * 86_400_000 - CN);
  const days = Math.max(1, Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1);
  const rows = (
    await sql<any>`select f.tier, count(*)::int as stores,
        coalesce(sum((select count(*) from fsl_visits v where v.tenant_id = f.tenant_id and v.store_unit_id = f.unit_id
          and v.day between ${from}::date and ${to}::date)), 0)::int as planned,
        coalesce(sum((select count(*) from fsl_visits v where v.tenant_id = f.tenant_id and v.store_unit_id = f.unit_id
          and v.day between ${from}::date and ${to}::date and v.status = 'done')), 0)::int as done,
        count(*) filter (where exists (select 1 from fsl_visits v where v.tenant_id = f.tenant_id
          and v.store_unit_id = f.unit_id and v.day between ${from}::date and ${to}::date and v.status = 'done'))::int as covered
      from fsl_store_profiles f join units u on u.tenant_id = f.tenant_id and u.id = f.unit_id and u.deleted_at is null
      where f.tenant_id = ${p.tenantId} and f.unit_id = any(${p.subtreeUnitIds}::uuid[])
      group by f.tier`.execute(tx)
  ).rows;
  const by = new Map(rows.map((r) => [r.tier, r]));
  return {
    from,
    to,
    tiers: STORE_TIERS.map((tier) => {
      const r = by.get(tier);
      const stores = r?.stores ?? 0;
      return {
        tier,
        everyDays: TIER_EVERY_DAYS[tier],
        stores,
        expected: stores * Math.max(1, Math.floor(days / TIER_EVERY_DAYS[tier])),
        planned: r?.planned ?? 0,
        done: r?.done ?? 0,
        covered: r?.covered ?? 0,
      };
    }),
  };
}

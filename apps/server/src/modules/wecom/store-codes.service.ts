import type {
  StoreCode,
  StoreCodeInput,
  StoreCodePatch,
  StoreInput,
  StoreOfCode,
} from '@kehu/contracts/wecom-store-codes';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { publicBaseUrl } from '../../core/mail/mailer.ts';
import { assertStaffKnown, wecomFailure } from './codes.service.ts';
import { WeComClient } from './connector/client.ts';
import { type CorpRuntime, corpRuntime, getCorp, visibleUnits } from './corps.service.ts';
import { newStoreKey } from './store-codes.key.ts';
import { storeProblem } from './store-codes.messages.ts';
import { assertWelcomeText, pickWelcomeAttachments, type WelcomeAttachment } from './welcome.service.ts';

/**
 * 门店活码: one public landing page over many stores. Each store is a channel-code row (its own
 * contact way with the store's staff and state `<state>-s<n>`), so the add callback, daily counts,
 * auto-tags, welcome message and lead attribution are the channel code's, unchanged. WeCom is
 * called first; a refusal part-way deletes the contact ways already made, so nothing half exists.
 */
export const landingUrl = (key: string) => `${publicBaseUrl()}/wecom/store/${key}`;
const storeState = (state: string, n: number) => `${state}-s${n}`;

const toStore = (r: any): StoreOfCode => ({
  unitId: r.store_unit_id,
  unitName: r.unit_name ?? '',
  state: r.state,
  staff: r.staff,
  city: r.city ?? '',
  address: r.address ?? null,
  lat: r.lat ?? null,
  lng: r.lng ?? null,
  codeId: r.id,
  scansToday: Number(r.scans_today ?? 0),
  scansTotal: Number(r.scans_total ?? 0),
  addsToday: Number(r.adds_today ?? 0),
  addsTotal: Number(r.adds_total ?? 0),
});

async function storesOf(tx: Tx, tenantId: string, codeIds: string[]) {
  if (!codeIds.length) return new Map<string, StoreOfCode[]>();
  const rows = (
    await sql<any>`select k.id, k.store_code_id, k.store_unit_id, k.state, k.staff, u.name as unit_name,
        p.city, p.address, p.lat, p.lng,
        (select coalesce(sum(s.scans), 0) from wecom_store_scans s where s.tenant_id = k.tenant_id
          and s.store_code_id = k.store_code_id and s.unit_id = k.store_unit_id and s.day = current_date) as scans_today,
        (select coalesce(sum(s.scans), 0) from wecom_store_scans s where s.tenant_id = k.tenant_id
          and s.store_code_id = k.store_code_id and s.unit_id = k.store_unit_id) as scans_total,
        (select coalesce(sum(d.adds), 0) from wecom_code_daily d where d.tenant_id = k.tenant_id and d.code_id = k.id
          and d.day = current_date) as adds_today,
        (select coalesce(sum(d.adds), 0) from wecom_code_daily d where d.tenant_id = k.tenant_id and d.code_id = k.id) as adds_total
      from wecom_channel_codes k
      left join units u on u.tenant_id = k.tenant_id and u.id = k.store_unit_id
      left join wecom_store_places p on p.tenant_id = k.tenant_id and p.unit_id = k.store_unit_id
      where k.tenant_id = ${tenantId} and k.store_code_id = any(${codeIds}::uuid[]) and k.deleted_at is null
      order by k.store_sort`.execute(tx)
  ).rows;
  const by = new Map<string, StoreOfCode[]>();
  for (const r of rows) by.set(r.store_code_id, [...(by.get(r.store_code_id) ?? []), toStore(r)]);
  return by;
}

const toCode = (r: any, stores: StoreOfCode[]): StoreCode => ({
  id: r.id,
  corpRef: r.corp_ref,
  name: r.name,
  state: r.state,
  channel: r.channel,
  tags: r.tags,
  welcomeText: r.welcome_text,
  welcomeAttachments: (r.welcome_attachments ?? []).map((a: any) => ({
    materialId: a.materialId,
    kind: a.kind,
    title: a.title,
  })),
  landingUrl: landingUrl(r.public_key),
  version: r.version,
  stores,
  createdAt: new Date(r.created_at).toISOString(),
});

async function codeRows(tx: Tx, p: Principal, where: ReturnType<typeof sql>) {
  const rows = (
    await sql<any>`select k.* from wecom_store_codes k
      join wecom_corps c on c.tenant_id = k.tenant_id and c.id = k.corp_ref and c.deleted_at is null
      where k.tenant_id = ${p.tenantId} and k.deleted_at is null and c.unit_id = any(${visibleUnits(p)}::uuid[])
        and ${where}
      order by k.created_at desc`.execute(tx)
  ).rows;
  const stores = await storesOf(
    tx,
    p.tenantId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toCode(r, stores.get(r.id) ?? []));
}

export async function listStoreCodes(tx: Tx, p: Principal, corpRef?: string) {
  return { items: await codeRows(tx, p, corpRef ? sql`k.corp_ref = ${corpRef}` : sql`true`) };
}

export async function getStoreCode(tx: Tx, p: Principal, id: string): Promise<StoreCode> {
  const [code] = await codeRows(tx, p, sql`k.id = ${id}`);
  if (!code) throw notFound('wecom_store_code');
  return code;
}

/** Every store is a visible org unit of type store, listed once, with staff of the corp. */
async function checkStores(tx: Tx, p: Principal, corpRef: string, stores: StoreInput[], locale: Locale) {
  const seen = new Set<string>();
  for (const [i, s] of stores.entries()) {
    if (seen.has(s.unitId))
      throw storeProblem('validation', locale, 'store_duplicate', { unit: s.unitId }, [
        { field: `stores.${i}.unitId`, code: 'duplicate' },
      ]);
    seen.add(s.unitId);
  }
  const ok = new Set(
    (
      await sql<{ id: string }>`select id from units where tenant_id = ${p.tenantId} and type = 'store'
        and deleted_at is null and id = any(${[...seen]}::uuid[]) and id = any(${visibleUnits(p)}::uuid[])`.execute(
        tx,
      )
    ).rows.map((r) => r.id),
  );
  const bad = stores.findIndex((s) => !ok.has(s.unitId));
  if (bad >= 0)
    throw storeProblem('validation', locale, 'store_unit_invalid', { unit: stores[bad]!.unitId }, [
      { field: `stores.${bad}.unitId`, code: 'lookup_missing' },
    ]);
  await assertStaffKnown(tx, p.tenantId, corpRef, [...new Set(stores.flatMap((s) => s.staff))], locale);
}

async function savePlace(tx: Tx, tenantId: string, s: StoreInput) {
  await sql`insert into wecom_store_places (tenant_id, unit_id, city, address, lat, lng)
    values (${tenantId}, ${s.unitId}, ${s.city}, ${s.address ?? null}, ${s.lat ?? null}, ${s.lng ?? null})
    on conflict (tenant_id, unit_id) do update set city = excluded.city, address = excluded.address,
      lat = excluded.lat, lng = excluded.lng, updated_at = now()`.execute(tx);
}

interface MadeWay {
  unitId: string;
  n: number;
  state: string;
  configId: string;
  qrCode: string | null;
}

async function addWay(client: WeComClient, name: string, state: string, staff: string[]) {
  const res = await client.post('externalcontact/add_contact_way', {
    // Always 多人 (type 2): a store's roster changes and WeCom never changes a way's type.
    type: 2,
    scene: 2,
    remark: name.slice(0, 30),
    skip_verify: true,
    state,
    user: staff,
  });
  return { configId: String(res.config_id), qrCode: res.qr_code ? String(res.qr_code) : null };
}

/** Undo contact ways made before a refusal; what WeCom will not delete stays unused there. */
async function dropWays(client: WeComClient, ways: MadeWay[]) {
  for (const w of ways)
    await client.post('externalcontact/del_contact_way', { config_id: w.configId }).catch(() => undefined);
}

async function makeWays(
  corp: CorpRuntime,
  database: Database,
  name: string,
  state: string,
  stores: Array<StoreInput & { n: number }>,
  locale: Locale,
) {
  const client = new WeComClient(database, corp);
  const made: MadeWay[] = [];
  try {
    for (const s of stores) {
      const st = storeState(state, s.n);
      made.push({ unitId: s.unitId, n: s.n, state: st, ...(await addWay(client, name, st, s.staff)) });
    }
  } catch (err) {
    await dropWays(client, made);
    wecomFailure(locale, err);
  }
  return made;
}

async function insertStoreRows(
  tx: Tx,
  p: Principal,
  code: {
    id: string;
    corpRef: string;
    unitId: string;
    name: string;
    channel: string;
    tags: string[];
    welcomeText: string | null;
    attachments: WelcomeAttachment[];
  },
  stores: Array<StoreInput & { n: number }>,
  made: MadeWay[],
  createdBy: string | null,
) {
  for (const s of stores) {
    const w = made.find((m) => m.unitId === s.unitId)!;
    await savePlace(tx, p.tenantId, s);
    await sql`insert into wecom_channel_codes (tenant_id, id, corp_ref, unit_id, name, state, channel, config_id, qr_code,
        staff, skip_verify, tags, welcome_text, welcome_attachments, created_by, store_code_id, store_unit_id, store_sort)
      values (${p.tenantId}, ${newId()}, ${code.corpRef}, ${s.unitId}, ${code.name.slice(0, 100)}, ${w.state}, ${code.channel},
        ${w.configId}, ${w.qrCode}, ${JSON.stringify(s.staff)}::jsonb, true, ${JSON.stringify(code.tags)}::jsonb,
        ${code.welcomeText}, ${JSON.stringify(code.attachments)}::jsonb, ${createdBy}, ${code.id}, ${s.unitId}, ${s.n})`.execute(
      tx,
    );
  }
}

export async function createStoreCode(
  database: Database,
  p: Principal,
  actor: Actor,
  input: StoreCodeInput,
  locale: Locale,
) {
  const corp = await inTenant(database.db, p.tenantId, async (tx) => {
    const visible = await getCorp(tx, p, input.corpRef);
    const taken = (
      await sql`select 1 from wecom_store_codes where tenant_id = ${p.tenantId} and corp_ref = ${input.corpRef}
          and state = ${input.state} and deleted_at is null
        union all
        select 1 from wecom_channel_codes where tenant_id = ${p.tenantId} and corp_ref = ${input.corpRef}
          and deleted_at is null and (state = ${input.state} or state like ${`${input.state}-s%`})`.execute(
        tx,
      )
    ).rows[0];
    if (taken)
      throw storeProblem('conflict', locale, 'store_state_taken', { state: input.state }, [
        { field: 'state', code: 'duplicate' },
      ]);
    await checkStores(tx, p, input.corpRef, input.stores, locale);
    assertWelcomeText(input.welcomeText, locale);
    const attachments = await pickWelcomeAttachments(tx, p, input.welcomeAttachments ?? [], locale);
    return { ...(await corpRuntime(tx, p.tenantId, input.corpRef)), unitId: visible.unitId, attachments };
  });
  const stores = input.stores.map((s, i) => ({ ...s, n: i + 1 }));
  const made = await makeWays(corp, database, input.name, input.state, stores, locale);
  const id = newId();
  const code = {
    id,
    corpRef: input.corpRef,
    unitId: corp.unitId,
    name: input.name,
    channel: input.channel ?? 'wecom',
    tags: input.tags ?? [],
    welcomeText: input.welcomeText ?? null,
    attachments: corp.attachments,
  };
  return inTenant(database.db, p.tenantId, async (tx) => {
    await sql`insert into wecom_store_codes (tenant_id, id, corp_ref, unit_id, name, state, channel, public_key, tags,
        welcome_text, welcome_attachments, created_by)
      values (${p.tenantId}, ${id}, ${input.corpRef}, ${corp.unitId}, ${input.name}, ${input.state}, ${code.channel},
        ${newStoreKey(p.tenantId)}, ${JSON.stringify(code.tags)}::jsonb, ${code.welcomeText},
        ${JSON.stringify(code.attachments)}::jsonb, ${actor.actorId})`.execute(tx);
    await insertStoreRows(tx, p, code, stores, made, actor.actorId);
    await writeAudit(tx, actor, {
      action: 'create',
      object: 'wecom_store_code',
      recordId: id,
      meta: { ...input },
    });
    return getStoreCode(tx, p, id);
  });
}

/**
 * Edit: the stores list is the new truth — new stores get a contact way, removed ones lose theirs,
 * changed staff update theirs. `version` guards against two admins editing at once (409).
 */
export async function updateStoreCode(
  database: Database,
  p: Principal,
  actor: Actor,
  id: string,
  input: StoreCodePatch,
  locale: Locale,
) {
  const { code, corp, attachments } = await inTenant(database.db, p.tenantId, async (tx) => {
    const code = await getStoreCode(tx, p, id);
    if (code.version !== input.version) throw changed(locale);
    if (input.stores) await checkStores(tx, p, code.corpRef, input.stores, locale);
    assertWelcomeText(input.welcomeText, locale);
    const attachments = input.welcomeAttachments
      ? await pickWelcomeAttachments(tx, p, input.welcomeAttachments, locale)
      : null;
    return { code, corp: await corpRuntime(tx, p.tenantId, code.corpRef), attachments };
  });
  const client = new WeComClient(database, corp);
  const name = input.name ?? code.name;
  const before = new Map(code.stores.map((s) => [s.unitId, s]));
  let next = Math.max(0, ...code.stores.map((s) => Number(s.state.split('-s').pop()) || 0));
  const added = (input.stores ?? []).filter((s) => !before.has(s.unitId)).map((s) => ({ ...s, n: ++next }));
  const kept = (input.stores ?? []).filter((s) => before.has(s.unitId));
  const removed = input.stores
    ? code.stores.filter((s) => !input.stores!.some((n) => n.unitId === s.unitId))
    : [];
  const made = await makeWays(corp, database, name, code.state, added, locale);
  try {
    for (const s of kept) {
      const old = before.get(s.unitId)!;
      if (old.staff.join() !== s.staff.join() || input.name)
        await client.post('externalcontact/update_contact_way', {
          config_id: (await configOf(database, p.tenantId, old.codeId)) ?? '',
          remark: name.slice(0, 30),
          user: s.staff,
        });
    }
  } catch (err) {
    await dropWays(client, made);
    wecomFailure(locale, err);
  }
  for (const s of removed) {
    const cfg = await configOf(database, p.tenantId, s.codeId);
    if (cfg) await client.post('externalcontact/del_contact_way', { config_id: cfg }).catch(() => undefined);
  }
  return inTenant(database.db, p.tenantId, async (tx) => {
    const bumped = await sql`update wecom_store_codes set name = ${name},
        channel = coalesce(${input.channel ?? null}, channel),
        tags = coalesce(${input.tags ? JSON.stringify(input.tags) : null}::jsonb, tags),
        welcome_text = ${input.welcomeText === undefined ? sql`welcome_text` : input.welcomeText},
        welcome_attachments = coalesce(${attachments ? JSON.stringify(attachments) : null}::jsonb, welcome_attachments),
        version = version + 1, updated_at = now()
      where tenant_id = ${p.tenantId} and id = ${id} and version = ${input.version} returning id`.execute(tx);
    if (!bumped.rows.length) throw changed(locale);
    // What the add callback reads lives on each store's channel-code row.
    await sql`update wecom_channel_codes k set name = s.name, channel = s.channel, tags = s.tags,
        welcome_text = s.welcome_text, welcome_attachments = s.welcome_attachments, updated_at = now()
      from wecom_store_codes s where s.tenant_id = k.tenant_id and s.id = k.store_code_id
        and k.tenant_id = ${p.tenantId} and k.store_code_id = ${id} and k.deleted_at is null`.execute(tx);
    for (const s of kept) {
      await savePlace(tx, p.tenantId, s);
      await sql`update wecom_channel_codes set staff = ${JSON.stringify(s.staff)}::jsonb
        where tenant_id = ${p.tenantId} and store_code_id = ${id} and store_unit_id = ${s.unitId} and deleted_at is null`.execute(
        tx,
      );
    }
    for (const s of removed)
      await sql`update wecom_channel_codes set deleted_at = now() where tenant_id = ${p.tenantId} and id = ${s.codeId}`.execute(
        tx,
      );
    const fresh = await getStoreCode(tx, p, id);
    await insertStoreRows(
      tx,
      p,
      {
        id,
        corpRef: code.corpRef,
        unitId: corp.unitId,
        name,
        channel: fresh.channel,
        tags: fresh.tags,
        welcomeText: fresh.welcomeText,
        attachments: (
          await sql<{ a: WelcomeAttachment[] }>`select welcome_attachments as a from wecom_store_codes
            where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx)
        ).rows[0]!.a,
      },
      added,
      made,
      actor.actorId,
    );
    await writeAudit(tx, actor, {
      action: 'update',
      object: 'wecom_store_code',
      recordId: id,
      meta: { ...input },
    });
    return getStoreCode(tx, p, id);
  });
}

const changed = (locale: Locale) =>
  storeProblem('conflict', locale, 'store_code_changed', {}, [{ field: 'version', code: 'stale' }]);

async function configOf(database: Database, tenantId: string, codeId: string) {
  return inTenant(
    database.db,
    tenantId,
    async (tx) =>
      (
        await sql<{ config_id: string | null }>`select config_id from wecom_channel_codes
          where tenant_id = ${tenantId} and id = ${codeId}`.execute(tx)
      ).rows[0]?.config_id ?? null,
    { readOnly: true },
  );
}

export async function deleteStoreCode(database: Database, p: Principal, actor: Actor, id: string) {
  const { code, corp } = await inTenant(database.db, p.tenantId, async (tx) => {
    const code = await getStoreCode(tx, p, id);
    return { code, corp: await corpRuntime(tx, p.tenantId, code.corpRef) };
  });
  const client = new WeComClient(database, corp);
  for (const s of code.stores) {
    const cfg = await configOf(database, p.tenantId, s.codeId);
    // Already gone in WeCom, or the corp unbound: Kehu follows.
    if (cfg) await client.post('externalcontact/del_contact_way', { config_id: cfg }).catch(() => undefined);
  }
  await inTenant(database.db, p.tenantId, async (tx) => {
    await sql`update wecom_store_codes set deleted_at = now() where tenant_id = ${p.tenantId} and id = ${id}`.execute(
      tx,
    );
    await sql`update wecom_channel_codes set deleted_at = now() where tenant_id = ${p.tenantId} and store_code_id = ${id}`.execute(
      tx,
    );
    await writeAudit(tx, actor, { action: 'delete', object: 'wecom_store_code', recordId: id });
  });
}

/** Scans (QR shown on the landing page) and adds per store per day, for the last `days` days. */
export async function storeCodeDaily(tx: Tx, p: Principal, id: string, days: number) {
  await getStoreCode(tx, p, id);
  const rows = (
    await sql<{ day: string; unit_id: string; scans: number; adds: number }>`
      with adds as (
        select d.day, k.store_unit_id as unit_id, sum(d.adds)::int as adds from wecom_code_daily d
        join wecom_channel_codes k on k.tenant_id = d.tenant_id and k.id = d.code_id
        where d.tenant_id = ${p.tenantId} and k.store_code_id = ${id} and d.day > current_date - ${days}::int
        group by 1, 2),
      scans as (
        select day, unit_id, sum(scans)::int as scans from wecom_store_scans
        where tenant_id = ${p.tenantId} and store_code_id = ${id} and day > current_date - ${days}::int
        group by 1, 2)
      select to_char(coalesce(a.day, s.day), 'YYYY-MM-DD') as day, coalesce(a.unit_id, s.unit_id) as unit_id,
        coalesce(s.scans, 0) as scans, coalesce(a.adds, 0) as adds
      from adds a full join scans s on s.day = a.day and s.unit_id = a.unit_id
      order by 1, 2`.execute(tx)
  ).rows;
  return { days: rows.map((r) => ({ day: r.day, unitId: r.unit_id, scans: r.scans, adds: r.adds })) };
}

import { randomBytes } from 'node:crypto';
import type { Corp, CorpInput, CorpPatch, CreatedCorp } from '@kehu/contracts/wecom';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { outboundFieldError } from '../../core/net/outbound.messages.ts';
import { checkOutboundUrl } from '../../core/net/outbound-url.ts';
import type { CallbackKeys } from './connector/callback-crypto.ts';
import { type CorpAccess, DEFAULT_BASE_URL } from './connector/client.ts';
import { open, seal } from './secret-box.ts';
import { wecomProblem } from './wecom.messages.ts';

/**
 * Corps per unit (R5.7): HQ, a branch or a dealer binds its own corp. A corp and everything it
 * brings in (codes, contacts) is visible to people whose unit tree contains the corp's unit, the
 * way records are scoped; another dealer's corp is a 404, not a 403 (its existence is not told).
 * Secrets are sealed per field with the corp id as associated data and never leave the server.
 */
const SECRET_FIELDS = ['contact_secret', 'app_secret', 'callback_token', 'callback_aes_key'] as const;
const aad = (corpRef: string, field: string) => `${corpRef}:${field}`;

export const visibleUnits = (p: Principal) => p.subtreeUnitIds;

const toCorp = (r: any): Corp => ({
  id: r.id,
  name: r.name,
  unitId: r.unit_id,
  unitName: r.unit_name ?? null,
  corpId: r.corp_id,
  agentId: r.agent_id ?? null,
  baseUrl: r.base_url,
  callbackPath: `/wecom/callback/${r.corp_key}`,
  secretsSet: { contactSecret: !!r.contact_secret, appSecret: !!r.app_secret },
  createdAt: new Date(r.created_at).toISOString(),
});

const CORP_COLUMNS = sql`c.tenant_id, c.id, c.name, c.unit_id, c.corp_id, c.agent_id, c.base_url, c.corp_key,
  c.contact_secret is not null as contact_secret, c.app_secret is not null as app_secret, c.created_at,
  (select u.name from units u where u.tenant_id = c.tenant_id and u.id = c.unit_id) as unit_name`;

export async function listCorps(tx: Tx, p: Principal) {
  const rows = (
    await sql<any>`select ${CORP_COLUMNS} from wecom_corps c
      where c.tenant_id = ${p.tenantId} and c.deleted_at is null and c.unit_id = any(${visibleUnits(p)}::uuid[])
      order by c.created_at`.execute(tx)
  ).rows;
  return { items: rows.map(toCorp) };
}

/** A corp the caller may see, or 404. */
export async function getCorp(tx: Tx, p: Principal, id: string): Promise<Corp> {
  const r = (
    await sql<any>`select ${CORP_COLUMNS} from wecom_corps c
      where c.tenant_id = ${p.tenantId} and c.id = ${id} and c.deleted_at is null
        and c.unit_id = any(${visibleUnits(p)}::uuid[])`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('wecom_corp');
  return toCorp(r);
}

function checkBaseUrl(locale: Locale, url: string | undefined) {
  if (!url) return;
  const refused = checkOutboundUrl(url);
  if (refused) throw invalid([outboundFieldError(locale, 'baseUrl', refused)]);
}

export async function createCorp(
  tx: Tx,
  p: Principal,
  actor: Actor,
  input: CorpInput,
  locale: Locale,
): Promise<CreatedCorp> {
  if (!visibleUnits(p).includes(input.unitId))
    throw wecomProblem('validation', locale, 'unit_out_of_scope', {}, [
      { field: 'unitId', code: 'out_of_scope' },
    ]);
  checkBaseUrl(locale, input.baseUrl);
  const dup = (
    await sql`select 1 from wecom_corps where tenant_id = ${p.tenantId} and corp_id = ${input.corpId} and deleted_at is null`.execute(
      tx,
    )
  ).rows[0];
  if (dup)
    throw wecomProblem('conflict', locale, 'corp_exists', { corpId: input.corpId }, [
      { field: 'corpId', code: 'duplicate' },
    ]);
  const id = newId();
  const generatedToken = input.callbackToken
    ? null
    : randomBytes(12).toString('base64url').replace(/[-_]/g, 'x');
  const generatedKey = input.encodingAESKey
    ? null
    : randomBytes(32).toString('base64').slice(0, 43).replace(/[+/]/g, 'k');
  const token = input.callbackToken ?? generatedToken!;
  const aesKey = input.encodingAESKey ?? generatedKey!;
  const corpKey = randomBytes(18).toString('base64url');
  await sql`insert into wecom_corps (tenant_id, id, unit_id, name, corp_id, agent_id, base_url, corp_key,
      contact_secret, app_secret, callback_token, callback_aes_key, created_by)
    values (${p.tenantId}, ${id}, ${input.unitId}, ${input.name}, ${input.corpId}, ${input.agentId ?? null},
      ${input.baseUrl || DEFAULT_BASE_URL}, ${corpKey}, ${seal(input.contactSecret, aad(id, 'contact_secret'))},
      ${input.appSecret ? seal(input.appSecret, aad(id, 'app_secret')) : null},
      ${seal(token, aad(id, 'callback_token'))}, ${seal(aesKey, aad(id, 'callback_aes_key'))}, ${actor.actorId})`.execute(
    tx,
  );
  // What changed, never the values: the audit log is read by more people than corp admins.
  await writeAudit(tx, actor, {
    action: 'create',
    object: 'wecom_corp',
    recordId: id,
    meta: {
      corpId: input.corpId,
      unitId: input.unitId,
      secrets: SECRET_FIELDS.filter((f) => f !== 'app_secret' || input.appSecret),
    },
  });
  const corp = await getCorp(tx, p, id);
  return { ...corp, callbackToken: generatedToken, encodingAESKey: generatedKey };
}

export async function patchCorp(
  tx: Tx,
  p: Principal,
  actor: Actor,
  id: string,
  input: CorpPatch,
  locale: Locale,
) {
  await getCorp(tx, p, id);
  checkBaseUrl(locale, input.baseUrl);
  await sql`update wecom_corps set
      name = coalesce(${input.name ?? null}, name),
      agent_id = ${input.agentId === undefined ? sql`agent_id` : input.agentId},
      base_url = coalesce(${input.baseUrl || null}, base_url),
      contact_secret = coalesce(${input.contactSecret ? seal(input.contactSecret, aad(id, 'contact_secret')) : null}, contact_secret),
      app_secret = ${input.appSecret === undefined ? sql`app_secret` : input.appSecret ? seal(input.appSecret, aad(id, 'app_secret')) : null},
      updated_at = now()
    where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx);
  // A new secret invalidates the cached tokens made with the old one.
  if (input.contactSecret || input.appSecret !== undefined)
    await sql`delete from wecom_tokens where tenant_id = ${p.tenantId} and corp_ref = ${id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'wecom_corp',
    recordId: id,
    meta: { fields: Object.keys(input) },
  });
  return getCorp(tx, p, id);
}

export async function deleteCorp(tx: Tx, p: Principal, actor: Actor, id: string) {
  await getCorp(tx, p, id);
  await sql`update wecom_corps set deleted_at = now() where tenant_id = ${p.tenantId} and id = ${id}`.execute(
    tx,
  );
  await sql`delete from wecom_tokens where tenant_id = ${p.tenantId} and corp_ref = ${id}`.execute(tx);
  await writeAudit(tx, actor, { action: 'delete', object: 'wecom_corp', recordId: id });
}

// ------------------------------------------------------------------ server-side access

export interface CorpRuntime extends CorpAccess {
  unitId: string;
  name: string;
  callback: CallbackKeys;
}

function runtimeOf(r: any): CorpRuntime {
  return {
    tenantId: r.tenant_id,
    corpRef: r.id,
    corpId: r.corp_id,
    name: r.name,
    unitId: r.unit_id,
    baseUrl: r.base_url,
    secrets: {
      contact: open(r.contact_secret, aad(r.id, 'contact_secret')),
      ...(r.app_secret ? { app: open(r.app_secret, aad(r.id, 'app_secret')) } : {}),
    },
    callback: {
      token: open(r.callback_token, aad(r.id, 'callback_token')),
      encodingAESKey: open(r.callback_aes_key, aad(r.id, 'callback_aes_key')),
      receiveId: r.corp_id,
    },
  };
}

export async function corpRuntime(tx: Tx, tenantId: string, corpRef: string): Promise<CorpRuntime> {
  const r = (
    await sql<any>`select * from wecom_corps where tenant_id = ${tenantId} and id = ${corpRef} and deleted_at is null`.execute(
      tx,
    )
  ).rows[0];
  if (!r) throw notFound('wecom_corp');
  return runtimeOf(r);
}

const byKey = new Map<string, { at: number; corp: CorpRuntime | null }>();
const KEY_TTL = 5_000;

/**
 * The corp a callback URL names, before any tenant is known (owner connection, like Segment write
 * keys). Cached briefly: a callback burst must not cost a decrypting query per message.
 */
export async function corpByKey(database: Database, corpKey: string): Promise<CorpRuntime | null> {
  const hit = byKey.get(corpKey);
  if (hit && Date.now() - hit.at < KEY_TTL) return hit.corp;
  if (!/^[\w-]{10,64}$/.test(corpKey)) return null;
  const t = (
    await sql<{
      tenant_id: string;
    }>`select tenant_id from wecom_corps where corp_key = ${corpKey} and deleted_at is null`.execute(
      database.db,
    )
  ).rows[0];
  let corp: CorpRuntime | null = null;
  if (t)
    corp = await inTenant(
      database.db,
      t.tenant_id,
      async (tx) => {
        const r = (
          await sql<any>`select * from wecom_corps where tenant_id = ${t.tenant_id} and corp_key = ${corpKey} and deleted_at is null`.execute(
            tx,
          )
        ).rows[0];
        return r ? runtimeOf(r) : null;
      },
      { readOnly: true },
    );
  if (byKey.size > 10_000) byKey.clear();
  byKey.set(corpKey, { at: Date.now(), corp });
  return corp;
}

export function forgetCorpKeys() {
  byKey.clear();
}

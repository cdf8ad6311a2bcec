import { generateKeyPairSync } from 'node:crypto';
import type { ArchiveSettings, ArchiveSettingsInput } from '@kehu/contracts/chats';
import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import { writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { open, seal } from '../../core/crypto/secret-box.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { outboundFieldError } from '../../core/net/outbound.messages.ts';
import { checkOutboundUrl } from '../../core/net/outbound-url.ts';
import { getCorp } from '../wecom/index.ts';
import { schedulePull } from './pull-schedule.ts';

const aad = (corpRef: string, what: string) => `chat_archive_settings:${corpRef}:${what}`;

function toSettings(r: any): ArchiveSettings {
  return {
    corpRef: r.corp_ref,
    sidecarUrl: r.sidecar_url,
    secretSet: !!r.archive_secret,
    publicKey: r.public_key,
    keyVersion: r.key_version,
    enabled: r.enabled,
    lastSeq: Number(r.last_seq),
    lastPulledAt: r.last_pulled_at ? new Date(r.last_pulled_at).toISOString() : null,
    lastError: r.last_error ?? null,
  };
}

/** Settings of a corp the caller may see (its unit in their subtree), or null when not set up. */
export async function getArchiveSettings(
  tx: Tx,
  p: Principal,
  corpRef: string,
): Promise<ArchiveSettings | null> {
  await getCorp(tx, p, corpRef);
  const r = (
    await sql<any>`select * from chat_archive_settings where tenant_id = ${p.tenantId} and corp_ref = ${corpRef}`.execute(
      tx,
    )
  ).rows[0];
  return r ? toSettings(r) : null;
}

function newKeyPair() {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/**
 * Sets the sidecar, the archive secret and the key pair. Kehu makes the RSA key pair itself: the
 * private half never leaves it (sealed at rest), the public half is shown for WeCom's console.
 * A new pair takes the next version, as WeCom numbers uploaded keys.
 */
export async function putArchiveSettings(
  tx: Tx,
  p: Principal,
  actor: Actor,
  corpRef: string,
  input: ArchiveSettingsInput,
  locale: Locale,
): Promise<ArchiveSettings> {
  await getCorp(tx, p, corpRef);
  const refused = checkOutboundUrl(input.sidecarUrl);
  if (refused) throw invalid([outboundFieldError(locale, 'sidecarUrl', refused)]);
  const existing = (
    await sql<any>`select * from chat_archive_settings where tenant_id = ${p.tenantId} and corp_ref = ${corpRef} for update`.execute(
      tx,
    )
  ).rows[0];
  if (!existing && !input.archiveSecret) throw invalid([{ field: 'archiveSecret', code: 'required' }]);
  const keys = !existing || input.newKeys ? newKeyPair() : null;
  const version = existing ? (keys ? existing.key_version + 1 : existing.key_version) : 1;
  const secret = input.archiveSecret
    ? seal(input.archiveSecret, aad(corpRef, 'secret'))
    : existing.archive_secret;
  const privateKey = keys ? seal(keys.privateKey, aad(corpRef, 'private_key')) : existing.private_key;
  const publicKey = keys ? keys.publicKey : existing.public_key;
  const enabled = input.enabled ?? existing?.enabled ?? true;
  await sql`insert into chat_archive_settings (tenant_id, corp_ref, sidecar_url, archive_secret, private_key, public_key,
      key_version, enabled)
    values (${p.tenantId}, ${corpRef}, ${input.sidecarUrl}, ${secret}, ${privateKey}, ${publicKey}, ${version}, ${enabled})
    on conflict (tenant_id, corp_ref) do update set sidecar_url = excluded.sidecar_url,
      archive_secret = excluded.archive_secret, private_key = excluded.private_key, public_key = excluded.public_key,
      key_version = excluded.key_version, enabled = excluded.enabled, updated_at = now()`.execute(tx);
  if (enabled) await schedulePull(tx, p.tenantId, corpRef);
  await writeAudit(tx, actor, {
    action: 'chats.archive_settings',
    object: 'wecom_corp',
    recordId: corpRef,
    // Never the secret or the key: only that they changed.
    meta: {
      sidecarUrl: input.sidecarUrl,
      secretChanged: !!input.archiveSecret,
      keyVersion: version,
      enabled,
    },
  });
  return (await getArchiveSettings(tx, p, corpRef))!;
}

export interface ArchiveRuntime {
  corpRef: string;
  sidecarUrl: string;
  secret: string;
  /** The newest private key only (see docs/modules/chat-archive-sidecar.md on rotation). */
  privateKey: string;
  keyVersion: number;
  lastSeq: number;
}

export async function archiveRuntime(
  tx: Tx,
  tenantId: string,
  corpRef: string,
): Promise<ArchiveRuntime | null> {
  const r = (
    await sql<any>`select * from chat_archive_settings where tenant_id = ${tenantId} and corp_ref = ${corpRef} and enabled`.execute(
      tx,
    )
  ).rows[0];
  if (!r) return null;
  return {
    corpRef,
    sidecarUrl: r.sidecar_url,
    secret: open(r.archive_secret, aad(corpRef, 'secret')),
    privateKey: open(r.private_key, aad(corpRef, 'private_key')),
    keyVersion: r.key_version,
    lastSeq: Number(r.last_seq),
  };
}

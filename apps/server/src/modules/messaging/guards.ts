import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { wecomMonthlyUse } from '../outreach/index.ts';
import { quietUntil } from './quiet-hours.ts';
import { addressFor, type Recipient } from './recipient.ts';
import type { Settings } from './settings.service.ts';
import type { ChannelKind, ConsentPurpose, SkipReason } from './types.ts';

/** Channels that reach the customer (quiet hours, WeCom's rules); in_app and webhook reach our own side. */
const TO_CUSTOMER = new Set<ChannelKind>(['sms', 'email', 'wecom_private', 'wecom_mass']);
/** Statuses that count against caps: everything that was or will be sent. */
export const COUNTED = ['queued', 'deferred', 'sent', 'delivered'];

export type GuardResult =
  | { ok: true; address: string; deferredUntil: Date | null }
  | { ok: false; reason: SkipReason; address: string | null; deferredUntil?: Date };

/**
 * The guards, in the contract's order; the first failing one is the reason. Quiet hours do not
 * drop a send: it is deferred to the window's end (unless the caller said dropIfQuiet).
 */
export async function runGuards(
  tx: Tx,
  tenantId: string,
  r: Recipient,
  channel: ChannelKind,
  purpose: ConsentPurpose,
  settings: Settings,
  now: Date,
  opts: { dropIfQuiet?: boolean; excludeMessageId?: string; skipCaps?: boolean } = {},
): Promise<GuardResult> {
  const address = addressFor(channel, r, settings.webhookUrl);
  if (await consentWithdrawn(tx, tenantId, r, purpose)) return { ok: false, reason: 'no_consent', address };
  if (await unsubscribed(tx, tenantId, r, channel)) return { ok: false, reason: 'unsubscribed', address };
  if (!address) return { ok: false, reason: 'no_address', address };
  if (channel === 'email' && (await undeliverable(tx, tenantId, address)))
    return { ok: false, reason: 'undeliverable', address };
  if ((channel === 'wecom_private' || channel === 'wecom_mass') && !r.wecom.some((w) => w.active))
    return { ok: false, reason: 'staff_deleted', address };
  if (!opts.skipCaps) {
    if (
      channel === 'wecom_mass' &&
      (await overWeComCap(tx, tenantId, r, address, now, opts.excludeMessageId))
    )
      return { ok: false, reason: 'wecom_monthly_cap', address };
    if (await overFrequencyCap(tx, tenantId, r, channel, purpose, settings, now, opts.excludeMessageId))
      return { ok: false, reason: 'frequency_cap', address };
  }
  if (TO_CUSTOMER.has(channel) && purpose === 'marketing') {
    const until = quietUntil(now, settings.quietStartMin, settings.quietEndMin, settings.timeZone);
    if (until) {
      if (opts.dropIfQuiet) return { ok: false, reason: 'quiet_hours', address, deferredUntil: until };
      return { ok: true, address, deferredUntil: until };
    }
  }
  return { ok: true, address, deferredUntil: null };
}

/** PIPL (R13.1): a withdrawn consent for the purpose means never sent. No record is no withdrawal. */
async function consentWithdrawn(tx: Tx, tenantId: string, r: Recipient, purpose: ConsentPurpose) {
  const rows = await sql`select 1 from cdp_consents where tenant_id = ${tenantId}
    and profile_id in (${r.profileId}, ${r.canonicalId}) and purpose = ${purpose} and granted = false limit 1`.execute(
    tx,
  );
  return rows.rows.length > 0;
}

async function unsubscribed(tx: Tx, tenantId: string, r: Recipient, channel: ChannelKind) {
  const rows = await sql`select 1 from messaging_unsubscribes where tenant_id = ${tenantId}
    and profile_id in (${r.profileId}, ${r.canonicalId}) and channel = ${channel} limit 1`.execute(tx);
  return rows.rows.length > 0;
}

/** A hard bounce made the address undeliverable: sending again only hurts the sender's reputation. */
async function undeliverable(tx: Tx, tenantId: string, address: string) {
  const rows = await sql`select 1 from messaging_undeliverable where tenant_id = ${tenantId}
    and channel = 'email' and address = ${address.trim().toLowerCase()}`.execute(tx);
  return rows.rows.length > 0;
}

async function overWeComCap(
  tx: Tx,
  tenantId: string,
  r: Recipient,
  externalUserid: string,
  now: Date,
  excludeMessageId?: string,
) {
  const { cap, used } = await wecomMonthlyUse(tx, tenantId, externalUserid, now);
  const ours = await sql<{ n: number }>`select count(*)::int as n from messaging_messages
    where tenant_id = ${tenantId} and profile_id in (${r.profileId}, ${r.canonicalId}) and channel = 'wecom_mass'
      and status = any(${COUNTED}::text[]) and id is distinct from ${excludeMessageId ?? null}::uuid
      and created_at >= date_trunc('month', ${now}::timestamptz at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai'`.execute(
    tx,
  );
  return used + (ours.rows[0]?.n ?? 0) >= cap;
}

/** Caps count every source (journeys, campaigns, API, people) on the profile's messages. */
async function overFrequencyCap(
  tx: Tx,
  tenantId: string,
  r: Recipient,
  channel: ChannelKind,
  purpose: ConsentPurpose,
  settings: Settings,
  now: Date,
  excludeMessageId?: string,
) {
  for (const cap of settings.caps) {
    if (cap.channel !== '*' && cap.channel !== channel) continue;
    if (cap.purpose !== '*' && cap.purpose !== purpose) continue;
    const since = new Date(now.getTime() - cap.days * 86_400_000);
    const n = await sql<{ n: number }>`select count(*)::int as n from messaging_messages
      where tenant_id = ${tenantId} and profile_id in (${r.profileId}, ${r.canonicalId})
        and status = any(${COUNTED}::text[]) and created_at > ${since}
        and id is distinct from ${excludeMessageId ?? null}::uuid
        ${cap.channel === '*' ? sql`` : sql`and channel = ${cap.channel}`}
        ${cap.purpose === '*' ? sql`` : sql`and purpose = ${cap.purpose}`}`.execute(tx);
    if ((n.rows[0]?.n ?? 0) >= cap.max) return true;
  }
  return false;
}

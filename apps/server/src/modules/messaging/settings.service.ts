import type { FrequencyCap, MessagingSettings } from '@kehu/contracts/messaging';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import { isSealed, open, seal } from '../../core/crypto/secret-box.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { outboundFieldError } from '../../core/net/outbound.messages.ts';
import { checkOutboundUrl } from '../../core/net/outbound-url.ts';
import { newWebhookSecret } from '../notifications/index.ts';
import { toHHMM, toMinutes } from './quiet-hours.ts';

export const DEFAULT_CAPS: FrequencyCap[] = [{ channel: 'sms', purpose: 'marketing', max: 2, days: 7 }];

export interface Settings {
  timeZone: string;
  quietStartMin: number | null;
  quietEndMin: number | null;
  caps: FrequencyCap[];
  webhookUrl: string | null;
  webhookSecret: string | null;
}

export const webhookSecretAad = (tenantId: string) => `messaging_settings:${tenantId}`;

export async function getSettings(tx: Tx, tenantId: string): Promise<Settings> {
  const r = (
    await sql<any>`select t.time_zone, s.quiet_start, s.quiet_end, s.caps, s.webhook_url, s.webhook_secret
      from tenants t left join messaging_settings s on s.tenant_id = t.id where t.id = ${tenantId}`.execute(
      tx,
    )
  ).rows[0];
  const secret: string | null = r?.webhook_secret ?? null;
  return {
    timeZone: r?.time_zone ?? 'Asia/Shanghai',
    quietStartMin: r?.quiet_start ?? null,
    quietEndMin: r?.quiet_end ?? null,
    caps: r?.caps ?? DEFAULT_CAPS,
    webhookUrl: r?.webhook_url ?? null,
    webhookSecret: secret && isSealed(secret) ? open(secret, webhookSecretAad(tenantId)) : secret,
  };
}

export async function readSettings(tx: Tx, tenantId: string): Promise<MessagingSettings> {
  const s = await getSettings(tx, tenantId);
  return {
    timeZone: s.timeZone,
    quietStart: s.quietStartMin === null ? null : toHHMM(s.quietStartMin),
    quietEnd: s.quietEndMin === null ? null : toHHMM(s.quietEndMin),
    caps: s.caps,
    webhookUrl: s.webhookUrl,
  };
}

/** A new webhook URL gets a new secret, returned once (like the notification webhooks). */
export async function putSettings(
  tx: Tx,
  actor: Actor,
  input: MessagingSettings & { rotateSecret?: boolean },
  locale: Locale,
): Promise<MessagingSettings & { webhookSecret?: string }> {
  if (input.webhookUrl) {
    const refused = checkOutboundUrl(input.webhookUrl);
    if (refused) throw invalid([outboundFieldError(locale, 'webhookUrl', refused)]);
  }
  const before = await getSettings(tx, actor.tenantId);
  const start = input.quietStart ? toMinutes(input.quietStart) : null;
  const end = input.quietEnd && start !== null ? toMinutes(input.quietEnd) : null;
  const newSecret =
    input.webhookUrl &&
    (input.webhookUrl !== before.webhookUrl || input.rotateSecret || !before.webhookSecret)
      ? newWebhookSecret()
      : null;
  const sealed = newSecret
    ? seal(newSecret, webhookSecretAad(actor.tenantId))
    : input.webhookUrl
      ? seal(before.webhookSecret!, webhookSecretAad(actor.tenantId))
      : null;
  await sql`insert into messaging_settings (tenant_id, quiet_start, quiet_end, caps, webhook_url, webhook_secret)
    values (${actor.tenantId}, ${start}, ${end}, ${JSON.stringify(input.caps)}::jsonb, ${input.webhookUrl}, ${sealed})
    on conflict (tenant_id) do update set quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
      caps = excluded.caps, webhook_url = excluded.webhook_url, webhook_secret = excluded.webhook_secret`.execute(
    tx,
  );
  await writeAudit(tx, actor, { action: 'update', object: 'messaging_settings', recordId: actor.tenantId });
  const out = await readSettings(tx, actor.tenantId);
  return newSecret ? { ...out, webhookSecret: newSecret } : out;
}

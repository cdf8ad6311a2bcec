import type { SurveySettings, SurveySettingsInput } from '@kehu/contracts/surveys';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { surveyProblem } from './surveys.messages.ts';

const DEFAULTS: SurveySettings = {
  enabled: true,
  channel: 'sms',
  delayMinutes: 120,
  expiresDays: 7,
  csatLow: 2,
  npsLow: 6,
  version: 0,
};

/** The tenant's survey settings; defaults (version 0) until someone saves them. */
export async function getSurveySettings(tx: Tx, tenantId: string): Promise<SurveySettings> {
  const r = (
    await sql<any>`select enabled, channel, delay_minutes, expires_days, csat_low, nps_low, version
      from survey_settings where tenant_id = ${tenantId}`.execute(tx)
  ).rows[0];
  if (!r) return DEFAULTS;
  return {
    enabled: r.enabled,
    channel: r.channel,
    delayMinutes: r.delay_minutes,
    expiresDays: r.expires_days,
    csatLow: r.csat_low,
    npsLow: r.nps_low,
    version: r.version,
  };
}

/**
 * Saves the settings when `version` is the one the editor read (0 = never saved): a second editor
 * working from the same version gets 409 instead of silently overwriting the first.
 */
export async function putSurveySettings(
  tx: Tx,
  actor: Actor,
  input: SurveySettingsInput,
  locale: Locale,
): Promise<SurveySettings> {
  const t = actor.tenantId;
  const before = await getSurveySettings(tx, t);
  if (before.version !== input.version) throw surveyProblem('conflict', locale, 'stale_settings');
  const r =
    await sql`insert into survey_settings as s (tenant_id, enabled, channel, delay_minutes, expires_days,
      csat_low, nps_low, version)
    values (${t}, ${input.enabled}, ${input.channel}, ${input.delayMinutes}, ${input.expiresDays}, ${input.csatLow},
      ${input.npsLow}, 1)
    on conflict (tenant_id) do update set enabled = excluded.enabled, channel = excluded.channel,
      delay_minutes = excluded.delay_minutes, expires_days = excluded.expires_days, csat_low = excluded.csat_low,
      nps_low = excluded.nps_low, version = s.version + 1, updated_at = now()
    where s.version = ${input.version}
    returning version`.execute(tx);
  if (!r.rows.length) throw surveyProblem('conflict', locale, 'stale_settings');
  await writeAudit(tx as any, actor, { action: 'update', object: 'survey_settings', recordId: t });
  return getSurveySettings(tx, t);
}

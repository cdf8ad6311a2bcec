import type { MallSettings, MallSettingsPatch } from '@kehu/contracts/member-mall';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { publicBaseUrl } from '../../core/mail/mailer.ts';
import { newPublicToken } from '../cards/index.ts';
import { mallProblem } from './member-mall.messages.ts';

export const cardUrl = (token: string) => `${publicBaseUrl()}/vip/${token}`;

export interface SettingsRow {
  program_id: string | null;
  card_token: string;
  point_value_minor: string;
  referral_enabled: boolean;
  referrer_points: number;
  referee_points: number;
  referrer_coupon_template_id: string | null;
  referee_coupon_template_id: string | null;
  version: number;
}

/** The tenant's mall settings, created with defaults (and the card page's token) on first use. */
export async function settingsRow(tx: Tx, tenantId: string): Promise<SettingsRow> {
  const r = (await sql<SettingsRow>`select * from mall_settings where tenant_id = ${tenantId}`.execute(tx))
    .rows[0];
  if (r) return r;
  await sql`insert into mall_settings (tenant_id, card_token) values (${tenantId}, ${newPublicToken(tenantId)})
    on conflict (tenant_id) do nothing`.execute(tx);
  return (await sql<SettingsRow>`select * from mall_settings where tenant_id = ${tenantId}`.execute(tx))
    .rows[0]!;
}

const toSettings = (r: SettingsRow): MallSettings => ({
  programId: r.program_id,
  cardUrl: cardUrl(r.card_token),
  pointValueMinor: Number(r.point_value_minor),
  referralEnabled: r.referral_enabled,
  referrerPoints: r.referrer_points,
  refereePoints: r.referee_points,
  referrerCouponTemplateId: r.referrer_coupon_template_id,
  refereeCouponTemplateId: r.referee_coupon_template_id,
  version: r.version,
});

export async function getSettings(tx: Tx, p: Principal): Promise<MallSettings> {
  return toSettings(await settingsRow(tx, p.tenantId));
}

export async function updateSettings(tx: Tx, p: Principal, actor: Actor, input: MallSettingsPatch) {
  await settingsRow(tx, p.tenantId);
  for (const f of ['referrerCouponTemplateId', 'refereeCouponTemplateId'] as const) {
    const id = input[f];
    if (!id) continue;
    const ok = (
      await sql`select 1 from coupon_templates where tenant_id = ${p.tenantId} and id = ${id}
        and unit_id = any(${p.subtreeUnitIds}::uuid[])`.execute(tx)
    ).rows[0];
    if (!ok)
      throw mallProblem('validation', p.locale, 'coupon_template_unknown', {}, [
        { field: f, code: 'lookup_missing' },
      ]);
  }
  const keep = (v: unknown, col: string) => (v === undefined ? sql.ref(col) : sql`${v}`);
  const r = await sql`update mall_settings set
      program_id = ${keep(input.programId, 'program_id')}::uuid,
      point_value_minor = ${keep(input.pointValueMinor, 'point_value_minor')}::numeric,
      referral_enabled = ${keep(input.referralEnabled, 'referral_enabled')}::boolean,
      referrer_points = ${keep(input.referrerPoints, 'referrer_points')}::int,
      referee_points = ${keep(input.refereePoints, 'referee_points')}::int,
      referrer_coupon_template_id = ${keep(input.referrerCouponTemplateId, 'referrer_coupon_template_id')}::uuid,
      referee_coupon_template_id = ${keep(input.refereeCouponTemplateId, 'referee_coupon_template_id')}::uuid,
      version = version + 1, updated_at = now()
    where tenant_id = ${p.tenantId} and version = ${input.version} returning tenant_id`.execute(tx);
  if (!r.rows.length) throw mallProblem('conflict', p.locale, 'version_conflict');
  await writeAudit(tx, actor, {
    action: 'update',
    object: 'mall_settings',
    recordId: p.tenantId,
    meta: { ...input },
  });
  return getSettings(tx, p);
}

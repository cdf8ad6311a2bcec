import type { OutreachSettings } from '@kehu/contracts/outreach';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { toHHMM, toMinutes } from './quiet-hours.ts';

/** WeCom: a customer receives at most 4 企业群发 a calendar month. */
export const WECOM_MONTHLY_CAP = 4;

export async function getSettings(tx: Tx, tenantId: string) {
  const r = (
    await sql<{
      quiet_start: number | null;
      quiet_end: number | null;
      monthly_cap: number | null;
      time_zone: string;
    }>`
      select s.quiet_start, s.quiet_end, s.monthly_cap, t.time_zone from tenants t
      left join outreach_settings s on s.tenant_id = t.id where t.id = ${tenantId}`.execute(tx)
  ).rows[0];
  return {
    /** Quiet hours are on the tenant's clock (tenants.time_zone). */
    timeZone: r?.time_zone ?? 'Asia/Shanghai',
    quietStartMin: r?.quiet_start ?? null,
    quietEndMin: r?.quiet_end ?? null,
    monthlyCap: Math.min(r?.monthly_cap ?? WECOM_MONTHLY_CAP, WECOM_MONTHLY_CAP),
  };
}

export async function readSettings(tx: Tx, tenantId: string): Promise<OutreachSettings> {
  const s = await getSettings(tx, tenantId);
  return {
    quietStart: s.quietStartMin === null ? null : toHHMM(s.quietStartMin),
    quietEnd: s.quietEndMin === null ? null : toHHMM(s.quietEndMin),
    monthlyCap: s.monthlyCap,
    timeZone: s.timeZone,
  };
}

export async function putSettings(
  tx: Tx,
  actor: Actor,
  input: Omit<OutreachSettings, 'timeZone'>,
): Promise<OutreachSettings> {
  const start = input.quietStart ? toMinutes(input.quietStart) : null;
  const end = input.quietEnd && start !== null ? toMinutes(input.quietEnd) : null;
  await sql`insert into outreach_settings (tenant_id, quiet_start, quiet_end, monthly_cap)
    values (${actor.tenantId}, ${start}, ${end}, ${input.monthlyCap})
    on conflict (tenant_id) do update set quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
      monthly_cap = excluded.monthly_cap`.execute(tx);
  await writeAudit(tx, actor, { action: 'update', object: 'outreach_settings', recordId: actor.tenantId });
  return readSettings(tx, actor.tenantId);
}

import { ADMIN_PERMISSIONS, OrganisationSettings, OrganisationSettingsInput } from '@kehu/contracts/admin';
import { sql } from 'kysely';
import { recordChange } from '../../../core/audit/change.ts';
import type { TypedTx } from '../../../core/db/tenant-scope.ts';
import { invalid } from '../../../core/errors.ts';
import { defineRoute, type RouteSpec } from '../../../core/http/route.ts';

const tags = ['admin'];

/** Every zone the runtime knows (IANA), plus UTC, which `supportedValuesOf` leaves out. */
const ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);

async function current(tx: TypedTx, tenantId: string): Promise<OrganisationSettings> {
  const t = (
    await sql<{ name: string; slug: string; time_zone: string }>`
      select name, slug, time_zone from tenants where id = ${tenantId}`.execute(tx)
  ).rows[0]!;
  return { name: t.name, slug: t.slug, timeZone: t.time_zone };
}

/**
 * The organisation's own settings. The time zone decides where "today" begins for the lead inbox
 * figures and how exports write dates and times (rules, quotes and WeCom days still count in
 * Asia/Shanghai); a change is audited with its old and new value.
 */
export const organisationRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/admin/organisation',
    permission: ADMIN_PERMISSIONS.settings,
    summary: 'The organisation’s settings (name, time zone)',
    tags,
    response: OrganisationSettings,
    handler: (req) => req.tx((tx: TypedTx) => current(tx, req.principal.tenantId), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/admin/organisation',
    permission: ADMIN_PERMISSIONS.settings,
    summary: 'Change the organisation’s name or time zone',
    tags,
    body: OrganisationSettingsInput,
    response: OrganisationSettings,
    handler: (req) => {
      const { name, timeZone } = req.body;
      if (timeZone !== undefined && !ZONES.has(timeZone))
        throw invalid([{ field: 'timeZone', code: 'time_zone_unknown', params: { value: timeZone } }]);
      return req.tx(async (tx: TypedTx) => {
        const tenantId = req.principal.tenantId;
        const before = await current(tx, tenantId);
        const changes = [
          ...(name !== undefined && name !== before.name
            ? [{ field: 'name', from: before.name, to: name }]
            : []),
          ...(timeZone !== undefined && timeZone !== before.timeZone
            ? [{ field: 'timeZone', from: before.timeZone, to: timeZone }]
            : []),
        ];
        if (!changes.length) return before;
        await sql`update tenants set name = ${name ?? before.name}, time_zone = ${timeZone ?? before.timeZone}
          where id = ${tenantId}`.execute(tx);
        await recordChange(tx, req.actor, 'organisation.updated', {
          action: 'organisation_update',
          object: 'organisation',
          recordId: tenantId,
          changes,
        });
        return current(tx, tenantId);
      });
    },
  }),
];

import { sql } from 'kysely';
import { registerObjectHooks } from '../../records/object-hooks.ts';
import { evaluateProfiles } from './evaluation.service.ts';
import { loadIdentityRules, resolveIdentities } from './identity.service.ts';
import { normalizeIdentity } from './identity.ts';
import { lockTenantCdp } from './process.job.ts';

/**
 * CRM contacts and person customers are people: their phone and email resolve to a profile
 * (merging with what events already know) and the record links to it (One ID, R1.2).
 */
export function registerCrmLinks() {
  for (const object of ['contact', 'customer'] as const) {
    registerObjectHooks(object, {
      async afterWrite(ctx, items) {
        const tenantId = ctx.principal.tenantId;
        const touched: string[] = [];
        for (const it of items) {
          const v = { ...(it.existing ?? {}), ...it.values } as Record<string, unknown>;
          if (object === 'customer' && v.kind !== 'person') continue;
          const ids = [normalizeIdentity('phone', v.phone), normalizeIdentity('email', v.email)].filter(
            (x) => x !== null,
          );
          if (!ids.length) continue;
          if (!touched.length) await lockTenantCdp(ctx.tx, tenantId);
          const rules = await loadIdentityRules(ctx.tx, tenantId);
          const res = await resolveIdentities(ctx.tx, tenantId, rules, ids, {
            reason: `crm:${object}`,
            source: null,
          });
          if (!res.profileId) continue;
          await sql`insert into cdp_profile_links (tenant_id, object, record_id, profile_id) values (${tenantId}, ${object}, ${it.id}, ${res.profileId})
            on conflict (tenant_id, object, record_id) do update set profile_id = excluded.profile_id, linked_at = now()`.execute(
            ctx.tx,
          );
          if (typeof v.name === 'string')
            await sql`update cdp_profiles set traits = jsonb_build_object('name', ${v.name}::text) || traits where tenant_id = ${tenantId} and id = ${res.profileId}`.execute(
              ctx.tx,
            );
          touched.push(res.profileId);
        }
        if (touched.length) await evaluateProfiles(ctx.tx, tenantId, touched, new Date());
      },
    });
  }
}

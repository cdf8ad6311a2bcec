import { ADMIN_PERMISSIONS, AuditPage, AuditQuery } from '@kehu/contracts/admin';
import { sql } from 'kysely';
import type { FieldChange } from '../../../core/audit/audit.ts';
import { can } from '../../../core/auth/principal.ts';
import type { TypedTx } from '../../../core/db/tenant-scope.ts';
import { defineRoute, type RouteSpec } from '../../../core/http/route.ts';
import { accessMap } from '../../../engine/records/field-access.ts';
import { maskValue } from '../../../engine/records/field-types.ts';
import { loadMetadata } from '../../../engine/records/metadata.service.ts';
import { field } from '../../../engine/records/object-def.ts';
import { listRecords, recordCtx } from '../../../engine/records/record.service.ts';

const STAFF_FIELDS: Record<string, ReturnType<typeof field>> = {
  phone: field('phone', 'phone', '手机', 'Phone', { personalKind: 'phone' }),
  email: field('email', 'email', '邮箱', 'Email', { personalKind: 'email' }),
};

/** R13.4: who did what, when, from where — newest first, keyset-paginated on the UUIDv7 id. */
export const auditRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/admin/audit',
    permission: ADMIN_PERMISSIONS.audit,
    summary: 'Search the audit log',
    tags: ['admin'],
    query: AuditQuery,
    response: AuditPage,
    handler: (req) =>
      req.tx(
        async (tx: TypedTx) => {
          const q = req.query;
          const at = (v: string) => sql<Date>`${v}::timestamptz`;
          let search = tx
            .selectFrom('audit_log as a')
            .leftJoin('users as u', (join) =>
              join.onRef('u.tenant_id', '=', 'a.tenant_id').onRef('u.id', '=', 'a.actor_id'),
            )
            .selectAll('a')
            .select('u.name as actor_name')
            .where('a.tenant_id', '=', req.principal.tenantId);
          if (q.action) search = search.where('a.action', '=', q.action);
          if (q.object) search = search.where('a.object', '=', q.object);
          if (q.recordId) search = search.where('a.record_id', '=', q.recordId);
          if (q.actorId) search = search.where('a.actor_id', '=', q.actorId);
          if (q.from) search = search.where('a.at', '>=', at(q.from));
          if (q.to) search = search.where('a.at', '<=', at(q.to));
          if (q.cursor) search = search.where('a.id', '<', q.cursor);
          const rows = await search
            .orderBy('a.id', 'desc')
            .limit(q.limit + 1)
            .execute();
          const page = rows.slice(0, q.limit);
          // Audit rows keep full values; each viewer sees them as their field access allows.
          const meta = await loadMetadata(tx, req.principal.tenantId, req.principal.authzVersion);
          // Staff contact details in user-admin rows are personal data too: only user admins see them.
          const userAdmin = can(req.principal, 'admin:users');
          const maskStaff = (v: unknown, key: string) =>
            userAdmin || v === null || v === undefined ? v : maskValue(STAFF_FIELDS[key]!, v);
          const maskChanges = (object: string | null, changes: FieldChange[] | null) => {
            if (object === 'user' && changes)
              return changes.map((c) =>
                c.field in STAFF_FIELDS
                  ? { field: c.field, from: maskStaff(c.from, c.field), to: maskStaff(c.to, c.field) }
                  : c,
              );
            const obj = object ? meta.objects.get(object) : undefined;
            if (!obj || !changes) return changes;
            const access = accessMap(req.principal, obj);
            return changes.flatMap((c) => {
              const f = obj.fields.find((x) => x.apiName === c.field);
              const a = f ? access.get(f.apiName) : 'full';
              if (a === 'hidden') return [];
              return a === 'masked' && f
                ? [{ field: c.field, from: maskValue(f, c.from), to: maskValue(f, c.to) }]
                : [c];
            });
          };
          // Records read as people know them (issue 9 §2: names, never id tails): each through the
          // record engine as the viewer, so a record outside their scope stays nameless, and a
          // masked name stays masked.
          const names = new Map<string, string>();
          const byObject = new Map<string, string[]>();
          for (const a of page)
            if (a.object && a.record_id && meta.objects.has(a.object))
              byObject.set(a.object, [...(byObject.get(a.object) ?? []), a.record_id]);
          for (const [object, ids] of byObject) {
            if (!can(req.principal, `${object}:read`)) continue;
            const ctx = await recordCtx(tx, req.principal, req.actor, object).catch(() => null);
            if (!ctx) continue;
            const found = await listRecords(ctx, {
              filter: { field: 'id', op: 'in', value: [...new Set(ids)] },
              limit: 200,
            }).catch(() => null);
            for (const r of found?.items ?? []) {
              const name = r[ctx.obj.nameField];
              if (name !== null && name !== undefined && name !== '') names.set(r.id, String(name));
            }
          }
          return {
            items: page.map((a) => ({
              id: a.id,
              at: a.at,
              action: a.action,
              object: a.object,
              recordId: a.record_id,
              recordName: (a.record_id && names.get(a.record_id)) || null,
              actor: { id: a.actor_id, name: a.actor_name, kind: a.actor_kind },
              changes: maskChanges(a.object, a.changes as FieldChange[] | null),
              meta:
                a.object === 'user' && a.meta && !userAdmin
                  ? Object.fromEntries(
                      Object.entries(a.meta as Record<string, unknown>).map(([k, v]) => [
                        k,
                        k in STAFF_FIELDS ? maskStaff(v, k) : v,
                      ]),
                    )
                  : a.meta,
              ip: a.ip,
              requestId: a.request_id,
            })),
            nextCursor: rows.length > q.limit ? page[page.length - 1]!.id : null,
          };
        },
        { readOnly: true },
      ),
  }),
];

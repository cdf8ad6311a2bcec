import {
  ADMIN_PERMISSIONS as ADMIN,
  PermissionCatalogue,
  Role,
  RoleInput,
  RoleList,
  RolePatch,
} from '@kehu/contracts/admin';
import { sql } from 'kysely';
import { recordChange } from '../../../core/audit/change.ts';
import { bumpAuthzVersion } from '../../../core/auth/access-loader.ts';
import {
  ADMIN_PERMISSIONS,
  DATA_SCOPES,
  FIELD_ACCESS,
  RECORD_ACTIONS,
  type RoleGrant,
} from '../../../core/auth/principal.ts';
import { conflict, notFound } from '../../../core/errors.ts';
import { defineRoute, idParam, type RouteSpec } from '../../../core/http/route.ts';
import { newId } from '../../../core/ids.ts';
import { modulePermissions } from '../../../engine/module-loader.ts';
import { loadMetadata } from '../../../engine/records/metadata.service.ts';
import { assertWithinOwnGrant, holdsRole, ownRolesRefusal } from './grant-check.ts';

const tags = ['admin'];

interface RoleRow {
  id: string;
  name: string;
  description: string | null;
  permissions: string[];
  data_scopes: Record<string, string>;
  field_access: Record<string, Record<string, string>>;
  is_system: boolean;
  version: number;
}
const grantOf = (r: RoleRow): RoleGrant => ({
  permissions: r.permissions,
  dataScopes: r.data_scopes as RoleGrant['dataScopes'],
  fieldAccess: r.field_access as RoleGrant['fieldAccess'],
});
const out = (r: RoleRow & { user_count?: number }) => ({
  id: r.id,
  name: r.name,
  description: r.description,
  permissions: r.permissions,
  dataScopes: r.data_scopes,
  fieldAccess: r.field_access,
  isSystem: r.is_system,
  version: r.version,
  userCount: r.user_count ?? 0,
});

/** Roles: function permissions, data scope per object, field access per object field (R10.4). */
export const roleRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/admin/roles',
    permission: ADMIN.roles,
    summary: 'List roles',
    tags,
    response: RoleList,
    handler: (req) =>
      req.tx(
        async (tx) => ({
          items: (
            await sql<
              RoleRow & { user_count: number }
            >`select r.*, (select count(*)::int from user_roles ur where ur.tenant_id = r.tenant_id and ur.role_id = r.id) user_count
            from roles r where r.tenant_id = ${req.principal.tenantId} order by r.is_system desc, r.name`.execute(
              tx,
            )
          ).rows.map(out),
        }),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/admin/permissions',
    permission: ADMIN.roles,
    summary: 'Catalogue of permissions: objects × actions, and admin permissions',
    tags,
    response: PermissionCatalogue,
    handler: (req) =>
      req.tx(
        async (tx) => {
          const meta = await loadMetadata(tx, req.principal.tenantId, req.principal.authzVersion);
          return {
            objects: [...meta.objects.values()].map((o) => ({
              apiName: o.apiName,
              label: o.label,
              actions: RECORD_ACTIONS,
              fields: o.fields
                .filter((f) => !f.system)
                .map((f) => ({
                  apiName: f.apiName,
                  label: f.label,
                  classification: f.classification,
                  personalKind: f.personalKind,
                })),
            })),
            admin: ADMIN_PERMISSIONS,
            // Every module's own permissions with labels (cdp:manage, leads:configure …), so a
            // role made in the UI can be given anything a module checks.
            modules: modulePermissions().map((m) => ({
              module: m.module,
              label: m.label,
              permissions: m.permissions.map((p) => ({
                key: p.key,
                label: p.label,
                description: p.description ?? null,
              })),
            })),
            dataScopes: DATA_SCOPES,
            fieldAccess: FIELD_ACCESS,
          };
        },
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/roles',
    permission: ADMIN.roles,
    summary: 'Create a role',
    tags,
    status: 201,
    body: RoleInput,
    response: Role,
    handler: (req) =>
      req.tx(async (tx) => {
        const t = req.principal.tenantId;
        await assertWithinOwnGrant(tx, req.principal, req.locale, req.body);
        const exists = (
          await sql`select 1 from roles where tenant_id = ${t} and name = ${req.body.name}`.execute(tx)
        ).rows[0];
        if (exists)
          throw conflict('conflict.exists', { what: req.body.name }, [{ field: 'name', code: 'unique' }]);
        const id = newId();
        const row = (
          await sql<RoleRow>`insert into roles (tenant_id, id, name, description, permissions, data_scopes, field_access)
            values (${t}, ${id}, ${req.body.name}, ${req.body.description ?? null}, ${req.body.permissions}::text[],
              ${JSON.stringify(req.body.dataScopes)}::jsonb, ${JSON.stringify(req.body.fieldAccess)}::jsonb) returning *`.execute(
            tx,
          )
        ).rows[0]!;
        await recordChange(tx, req.actor, 'role.created', {
          action: 'permission_change',
          object: 'role',
          recordId: id,
          meta: { op: 'create', role: req.body },
        });
        await bumpAuthzVersion(tx, t);
        return out(row);
      }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/admin/roles/:id',
    permission: ADMIN.roles,
    summary: 'Change a role (takes effect on the next request of every holder)',
    tags,
    params: idParam,
    body: RolePatch,
    response: Role,
    handler: (req) =>
      req.tx(async (tx) => {
        const t = req.principal.tenantId;
        const cur = (
          await sql<RoleRow>`select * from roles where tenant_id = ${t} and id = ${req.params.id} for update`.execute(
            tx,
          )
        ).rows[0];
        if (!cur) throw notFound('role');
        const b = req.body;
        // Holders of a role cannot widen it for themselves, nor can they narrow it to lock others out.
        if (await holdsRole(tx, t, req.principal.userId, cur.id)) throw ownRolesRefusal();
        await assertWithinOwnGrant(tx, req.principal, req.locale, grantOf(cur), 'grant.role_exceeds');
        await assertWithinOwnGrant(tx, req.principal, req.locale, {
          permissions: b.permissions ?? cur.permissions,
          dataScopes: b.dataScopes ?? grantOf(cur).dataScopes,
          fieldAccess: b.fieldAccess ?? grantOf(cur).fieldAccess,
        });
        if (b.name && b.name !== cur.name) {
          const exists = (
            await sql`select 1 from roles where tenant_id = ${t} and name = ${b.name}`.execute(tx)
          ).rows[0];
          if (exists)
            throw conflict('conflict.exists', { what: b.name }, [{ field: 'name', code: 'unique' }]);
        }
        const row = (
          await sql<RoleRow>`update roles set name = ${b.name ?? cur.name}, description = ${b.description === undefined ? cur.description : b.description},
            permissions = ${b.permissions ?? cur.permissions}::text[], data_scopes = ${JSON.stringify(b.dataScopes ?? cur.data_scopes)}::jsonb,
            field_access = ${JSON.stringify(b.fieldAccess ?? cur.field_access)}::jsonb, version = version + 1, updated_at = now()
            where tenant_id = ${t} and id = ${cur.id} returning *`.execute(tx)
        ).rows[0]!;
        await recordChange(tx, req.actor, 'role.updated', {
          action: 'permission_change',
          object: 'role',
          recordId: cur.id,
          meta: { op: 'update', before: out(cur), after: out(row) },
        });
        await bumpAuthzVersion(tx, t);
        return out(row);
      }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/admin/roles/:id',
    permission: ADMIN.roles,
    summary: 'Delete a role nobody holds',
    tags,
    status: 204,
    params: idParam,
    handler: (req) =>
      req.tx(async (tx) => {
        const t = req.principal.tenantId;
        const cur = (
          await sql<RoleRow>`select * from roles where tenant_id = ${t} and id = ${req.params.id} for update`.execute(
            tx,
          )
        ).rows[0];
        if (!cur) throw notFound('role');
        await assertWithinOwnGrant(tx, req.principal, req.locale, grantOf(cur), 'grant.role_exceeds');
        const held = (
          await sql`select 1 from user_roles where tenant_id = ${t} and role_id = ${cur.id} limit 1`.execute(
            tx,
          )
        ).rows.length;
        if (held || cur.is_system) throw conflict('conflict.in_use', { what: cur.name });
        await sql`delete from roles where tenant_id = ${t} and id = ${cur.id}`.execute(tx);
        await recordChange(tx, req.actor, 'role.deleted', {
          action: 'permission_change',
          object: 'role',
          recordId: cur.id,
          meta: { op: 'delete', role: out(cur) },
        });
        await bumpAuthzVersion(tx, t);
      }),
  }),
];

import {
  ADMIN_PERMISSIONS as ADMIN,
  PermissionCatalogue,
  Role,
  RoleInput,
  RoleList,
  RolePatch,
} from '@kehu/contracts/admin';
import { type Selectable, sql } from 'kysely';
import { recordChange } from '../../../core/audit/change.ts';
import { bumpAuthzVersion } from '../../../core/auth/access-loader.ts';
import { DATA_SCOPES, FIELD_ACCESS, RECORD_ACTIONS } from '../../../core/auth/principal.ts';
import type { Roles } from '../../../core/db/schema.ts';
import type { TypedTx } from '../../../core/db/tenant-scope.ts';
import { conflict, notFound } from '../../../core/errors.ts';
import { defineRoute, idParam, type RouteSpec } from '../../../core/http/route.ts';
import { newId } from '../../../core/ids.ts';
import { modulePermissions } from '../../../engine/module-loader.ts';
import { loadMetadata } from '../../../engine/records/metadata.service.ts';
import { assertWithinOwnGrant, holdsRole, ownRolesRefusal, toGrant } from './grant-check.ts';

const tags = ['admin'];

type RoleRow = Selectable<Roles>;
const grantOf = toGrant;
const out = (r: RoleRow & { user_count?: number | null }) => ({
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

const lockRole = (db: TypedTx, tenantId: string, id: string) =>
  db
    .selectFrom('roles')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();

const roleNamed = (db: TypedTx, tenantId: string, name: string) =>
  db
    .selectFrom('roles')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('name', '=', name)
    .executeTakeFirst();

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
        async (tx: TypedTx) => ({
          items: (
            await tx
              .selectFrom('roles as r')
              .selectAll('r')
              .select((eb) =>
                eb
                  .selectFrom('user_roles as ur')
                  .whereRef('ur.tenant_id', '=', 'r.tenant_id')
                  .whereRef('ur.role_id', '=', 'r.id')
                  .select(eb.fn.countAll<number>().as('n'))
                  .as('user_count'),
              )
              .where('r.tenant_id', '=', req.principal.tenantId)
              .orderBy('r.is_system', 'desc')
              .orderBy('r.name')
              .execute()
          ).map(out),
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
            admin: Object.values(ADMIN),
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
      req.tx(async (tx: TypedTx) => {
        const t = req.principal.tenantId;
        await assertWithinOwnGrant(tx, req.principal, req.locale, req.body);
        const exists = await roleNamed(tx, t, req.body.name);
        if (exists)
          throw conflict('conflict.exists', { what: req.body.name }, [{ field: 'name', code: 'unique' }]);
        const id = newId();
        const row = await tx
          .insertInto('roles')
          .values({
            tenant_id: t,
            id,
            name: req.body.name,
            description: req.body.description ?? null,
            permissions: req.body.permissions,
            data_scopes: JSON.stringify(req.body.dataScopes),
            field_access: JSON.stringify(req.body.fieldAccess),
          })
          .returningAll()
          .executeTakeFirstOrThrow();
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
      req.tx(async (tx: TypedTx) => {
        const t = req.principal.tenantId;
        const cur = await lockRole(tx, t, req.params.id);
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
          const exists = await roleNamed(tx, t, b.name);
          if (exists)
            throw conflict('conflict.exists', { what: b.name }, [{ field: 'name', code: 'unique' }]);
        }
        const row = await tx
          .updateTable('roles')
          .set((eb) => ({
            name: b.name ?? cur.name,
            description: b.description === undefined ? cur.description : b.description,
            permissions: b.permissions ?? cur.permissions,
            data_scopes: JSON.stringify(b.dataScopes ?? cur.data_scopes),
            field_access: JSON.stringify(b.fieldAccess ?? cur.field_access),
            version: eb('version', '+', 1),
            updated_at: sql<Date>`now()`,
          }))
          .where('tenant_id', '=', t)
          .where('id', '=', cur.id)
          .returningAll()
          .executeTakeFirstOrThrow();
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
      req.tx(async (tx: TypedTx) => {
        const t = req.principal.tenantId;
        const cur = await lockRole(tx, t, req.params.id);
        if (!cur) throw notFound('role');
        await assertWithinOwnGrant(tx, req.principal, req.locale, grantOf(cur), 'grant.role_exceeds');
        const held = await tx
          .selectFrom('user_roles')
          .select('user_id')
          .where('tenant_id', '=', t)
          .where('role_id', '=', cur.id)
          .limit(1)
          .executeTakeFirst();
        if (held || cur.is_system) throw conflict('conflict.in_use', { what: cur.name });
        await tx.deleteFrom('roles').where('tenant_id', '=', t).where('id', '=', cur.id).execute();
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

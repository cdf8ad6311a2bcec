import { ADMIN_PERMISSIONS, Unit, UnitInput, UnitList, UnitPatch } from '@kehu/contracts/admin';
import { sql } from 'kysely';
import { recordChange } from '../../../core/audit/change.ts';
import { bumpAuthzVersion } from '../../../core/auth/access-loader.ts';
import { conflict, invalid, notFound } from '../../../core/errors.ts';
import { defineRoute, idParam, type RouteSpec } from '../../../core/http/route.ts';
import { newId } from '../../../core/ids.ts';

export { UNIT_TYPES } from '@kehu/contracts/admin';

const tags = ['admin'];

interface UnitRow {
  id: string;
  parent_id: string | null;
  name: string;
  type: string;
  code: string | null;
  path: string;
  depth: number;
  sort: number;
  version: number;
}
const out = (u: UnitRow) => ({
  id: u.id,
  parentId: u.parent_id,
  name: u.name,
  type: u.type,
  code: u.code,
  path: u.path,
  depth: u.depth,
  sort: u.sort,
  version: u.version,
});

/** Org units: a tree per tenant with a materialised path (`/<root>/<child>/`) for subtree tests. */
export const unitRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/admin/units',
    permission: ADMIN_PERMISSIONS.units,
    summary: 'All units of the tenant (flat, ordered by path)',
    tags,
    response: UnitList,
    handler: (req) =>
      req.tx(
        async (tx) => {
          const rows = (
            await sql<UnitRow>`select * from units where tenant_id = ${req.principal.tenantId} and deleted_at is null order by path`.execute(
              tx,
            )
          ).rows;
          const counts = (
            await sql<{
              unit_id: string;
              n: number;
            }>`select unit_id, count(*)::int n from users where tenant_id = ${req.principal.tenantId} group by unit_id`.execute(
              tx,
            )
          ).rows;
          const byUnit = new Map(counts.map((c) => [c.unit_id, c.n]));
          return { items: rows.map((u) => ({ ...out(u), userCount: byUnit.get(u.id) ?? 0 })) };
        },
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/units',
    permission: ADMIN_PERMISSIONS.units,
    summary: 'Create a unit',
    tags,
    status: 201,
    body: UnitInput,
    response: Unit,
    handler: (req) =>
      req.tx(async (tx) => {
        const t = req.principal.tenantId;
        const id = newId();
        let path = `/${id}/`;
        let depth = 0;
        if (req.body.parentId) {
          const parent = (
            await sql<UnitRow>`select * from units where tenant_id = ${t} and id = ${req.body.parentId} and deleted_at is null`.execute(
              tx,
            )
          ).rows[0];
          if (!parent) throw invalid([{ field: 'parentId', code: 'lookup_missing' }]);
          path = `${parent.path}${id}/`;
          depth = parent.depth + 1;
        } else {
          const root = (
            await sql`select 1 from units where tenant_id = ${t} and parent_id is null and deleted_at is null`.execute(
              tx,
            )
          ).rows[0];
          if (root) throw invalid([{ field: 'parentId', code: 'required' }]);
        }
        const row = (
          await sql<UnitRow>`insert into units (tenant_id, id, parent_id, name, type, code, path, depth, sort)
            values (${t}, ${id}, ${req.body.parentId ?? null}, ${req.body.name}, ${req.body.type}, ${req.body.code || null}, ${path}, ${depth}, ${req.body.sort ?? 0})
            returning *`.execute(tx)
        ).rows[0]!;
        await recordChange(tx, req.actor, 'unit.created', {
          action: 'create',
          object: 'unit',
          recordId: id,
          changes: Object.entries(req.body).map(([field, to]) => ({ field, from: null, to })),
        });
        await bumpAuthzVersion(tx, t);
        return out(row);
      }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/admin/units/:id',
    permission: ADMIN_PERMISSIONS.units,
    summary: 'Rename, retype or move a unit',
    tags,
    params: idParam,
    body: UnitPatch,
    response: Unit,
    handler: (req) =>
      req.tx(async (tx) => {
        const t = req.principal.tenantId;
        const cur = (
          await sql<UnitRow>`select * from units where tenant_id = ${t} and id = ${req.params.id} and deleted_at is null for update`.execute(
            tx,
          )
        ).rows[0];
        if (!cur) throw notFound('unit');
        let { path, depth } = cur;
        if (req.body.parentId !== undefined && req.body.parentId !== cur.parent_id) {
          if (!req.body.parentId) throw invalid([{ field: 'parentId', code: 'required' }]);
          const parent = (
            await sql<UnitRow>`select * from units where tenant_id = ${t} and id = ${req.body.parentId} and deleted_at is null`.execute(
              tx,
            )
          ).rows[0];
          // A unit cannot move under itself or its own descendants.
          if (!parent || parent.path.startsWith(cur.path))
            throw invalid([{ field: 'parentId', code: 'lookup_missing' }]);
          path = `${parent.path}${cur.id}/`;
          depth = parent.depth + 1;
          await sql`update units set path = ${path} || substr(path, ${cur.path.length + 1}), depth = depth + ${depth - cur.depth}
            where tenant_id = ${t} and path like ${`${cur.path}%`} and id <> ${cur.id}`.execute(tx);
        }
        const row = (
          await sql<UnitRow>`update units set name = coalesce(${req.body.name ?? null}, name), type = coalesce(${req.body.type ?? null}, type),
            code = ${req.body.code === undefined ? cur.code : req.body.code || null}, parent_id = ${req.body.parentId === undefined ? cur.parent_id : req.body.parentId},
            path = ${path}, depth = ${depth}, sort = coalesce(${req.body.sort ?? null}, sort), version = version + 1, updated_at = now()
            where tenant_id = ${t} and id = ${cur.id} returning *`.execute(tx)
        ).rows[0]!;
        const changes = Object.entries(req.body).map(([field, to]) => ({
          field,
          from: (out(cur) as any)[field] ?? null,
          to,
        }));
        await recordChange(tx, req.actor, 'unit.updated', {
          action: 'update',
          object: 'unit',
          recordId: cur.id,
          changes,
        });
        await bumpAuthzVersion(tx, t);
        return out(row);
      }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/admin/units/:id',
    permission: ADMIN_PERMISSIONS.units,
    summary: 'Delete an empty unit',
    tags,
    status: 204,
    params: idParam,
    handler: (req) =>
      req.tx(async (tx) => {
        const t = req.principal.tenantId;
        const cur = (
          await sql<UnitRow>`select * from units where tenant_id = ${t} and id = ${req.params.id} and deleted_at is null for update`.execute(
            tx,
          )
        ).rows[0];
        if (!cur) throw notFound('unit');
        const children = (
          await sql`select 1 from units where tenant_id = ${t} and parent_id = ${cur.id} and deleted_at is null limit 1`.execute(
            tx,
          )
        ).rows.length;
        const users = (
          await sql`select 1 from users where tenant_id = ${t} and unit_id = ${cur.id} limit 1`.execute(tx)
        ).rows.length;
        if (children || users || !cur.parent_id) throw conflict('conflict.in_use', { what: cur.name });
        await sql`update units set deleted_at = now() where tenant_id = ${t} and id = ${cur.id}`.execute(tx);
        await recordChange(tx, req.actor, 'unit.deleted', {
          action: 'delete',
          object: 'unit',
          recordId: cur.id,
        });
        await bumpAuthzVersion(tx, t);
      }),
  }),
];

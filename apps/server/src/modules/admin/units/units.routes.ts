import {
  ADMIN_PERMISSIONS,
  Unit,
  UnitInput,
  UnitList,
  UnitPatch,
  type UnitType,
} from '@kehu/contracts/admin';
import { type Selectable, sql } from 'kysely';
import { recordChange } from '../../../core/audit/change.ts';
import { bumpAuthzVersion } from '../../../core/auth/access-loader.ts';
import type { Units } from '../../../core/db/schema.ts';
import type { Tx, TypedTx } from '../../../core/db/tenant-scope.ts';
import { conflict, invalid, notFound } from '../../../core/errors.ts';
import { defineRoute, idParam, type RouteSpec } from '../../../core/http/route.ts';
import { newId } from '../../../core/ids.ts';
import { moveDescendants } from './units.queries.ts';

export { UNIT_TYPES } from '@kehu/contracts/admin';

const tags = ['admin'];

type UnitRow = Selectable<Units>;
const out = (u: UnitRow) => ({
  id: u.id,
  parentId: u.parent_id,
  name: u.name,
  type: u.type as UnitType,
  code: u.code,
  path: u.path,
  depth: u.depth,
  sort: u.sort,
  version: u.version,
});

/** A unit that is not deleted, optionally locked for the change that follows. */
function liveUnit(db: TypedTx, tenantId: string, id: string) {
  return db
    .selectFrom('units')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null);
}

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
          const db = tx as TypedTx;
          const t = req.principal.tenantId;
          const rows = await db
            .selectFrom('units')
            .selectAll()
            .where('tenant_id', '=', t)
            .where('deleted_at', 'is', null)
            .orderBy('path')
            .execute();
          const counts = await db
            .selectFrom('users')
            .select(['unit_id', (eb) => eb.fn.countAll<number>().as('n')])
            .where('tenant_id', '=', t)
            .groupBy('unit_id')
            .execute();
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
        const db = tx as TypedTx;
        const t = req.principal.tenantId;
        const id = newId();
        let path = `/${id}/`;
        let depth = 0;
        if (req.body.parentId) {
          const parent = await liveUnit(db, t, req.body.parentId).executeTakeFirst();
          if (!parent) throw invalid([{ field: 'parentId', code: 'lookup_missing' }]);
          path = `${parent.path}${id}/`;
          depth = parent.depth + 1;
        } else {
          const root = await db
            .selectFrom('units')
            .select('id')
            .where('tenant_id', '=', t)
            .where('parent_id', 'is', null)
            .where('deleted_at', 'is', null)
            .executeTakeFirst();
          if (root) throw invalid([{ field: 'parentId', code: 'required' }]);
        }
        const row = await db
          .insertInto('units')
          .values({
            tenant_id: t,
            id,
            parent_id: req.body.parentId ?? null,
            name: req.body.name,
            type: req.body.type,
            code: req.body.code || null,
            path,
            depth,
            sort: req.body.sort ?? 0,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
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
        const db = tx as TypedTx;
        const t = req.principal.tenantId;
        const cur = await liveUnit(db, t, req.params.id).forUpdate().executeTakeFirst();
        if (!cur) throw notFound('unit');
        let { path, depth } = cur;
        if (req.body.parentId !== undefined && req.body.parentId !== cur.parent_id) {
          if (!req.body.parentId) throw invalid([{ field: 'parentId', code: 'required' }]);
          const parent = await liveUnit(db, t, req.body.parentId).executeTakeFirst();
          // A unit cannot move under itself or its own descendants.
          if (!parent || parent.path.startsWith(cur.path))
            throw invalid([{ field: 'parentId', code: 'lookup_missing' }]);
          path = `${parent.path}${cur.id}/`;
          depth = parent.depth + 1;
          await moveDescendants(tx as Tx, t, cur, { path, depth });
        }
        const b = req.body;
        const row = await db
          .updateTable('units')
          .set((eb) => ({
            name: b.name ?? cur.name,
            type: b.type ?? cur.type,
            code: b.code === undefined ? cur.code : b.code || null,
            parent_id: b.parentId === undefined ? cur.parent_id : b.parentId,
            path,
            depth,
            sort: b.sort ?? cur.sort,
            version: eb('version', '+', 1),
            updated_at: sql<Date>`now()`,
          }))
          .where('tenant_id', '=', t)
          .where('id', '=', cur.id)
          .returningAll()
          .executeTakeFirstOrThrow();
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
        const db = tx as TypedTx;
        const t = req.principal.tenantId;
        const cur = await liveUnit(db, t, req.params.id).forUpdate().executeTakeFirst();
        if (!cur) throw notFound('unit');
        const child = await db
          .selectFrom('units')
          .select('id')
          .where('tenant_id', '=', t)
          .where('parent_id', '=', cur.id)
          .where('deleted_at', 'is', null)
          .limit(1)
          .executeTakeFirst();
        const member = await db
          .selectFrom('users')
          .select('id')
          .where('tenant_id', '=', t)
          .where('unit_id', '=', cur.id)
          .limit(1)
          .executeTakeFirst();
        if (child || member || !cur.parent_id) throw conflict('conflict.in_use', { what: cur.name });
        await db
          .updateTable('units')
          .set({ deleted_at: sql<Date>`now()` })
          .where('tenant_id', '=', t)
          .where('id', '=', cur.id)
          .execute();
        await recordChange(tx, req.actor, 'unit.deleted', {
          action: 'delete',
          object: 'unit',
          recordId: cur.id,
        });
        await bumpAuthzVersion(tx, t);
      }),
  }),
];

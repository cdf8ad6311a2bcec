import {
  SavedView,
  SavedViewInput,
  SavedViewList,
  SavedViewPatch,
  ViewsQuery,
} from '@kehu/contracts/records';
import { sql } from 'kysely';
import { notFound } from '../../core/errors.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { newId } from '../../core/ids.ts';
import { filterSchema } from './filter.ts';

const tags = ['views'];
// The contract's shapes, with the filter checked for nesting depth as list queries are.
const viewInput = SavedViewInput.extend({ filter: filterSchema.nullable().optional() });
const viewPatch = SavedViewPatch.extend({ filter: filterSchema.nullable().optional() });
const out = (v: any) => ({
  id: v.id,
  object: v.object,
  name: v.name,
  ownerId: v.owner_id,
  shared: v.shared,
  filter: v.filter,
  columns: v.columns,
  sort: v.sort,
  updatedAt: v.updated_at,
});

/** Saved list views: private to their owner unless shared with the tenant. */
export const viewRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/views',
    permission: 'authenticated',
    probe: { query: { object: '=customer' } },
    summary: 'Saved views of an object visible to the caller',
    tags,
    query: ViewsQuery,
    response: SavedViewList,
    handler: (req) =>
      req.tx(
        async (tx) => ({
          items: (
            await sql`select * from saved_views where tenant_id = ${req.principal.tenantId} and object = ${req.query.object}
            and (owner_id = ${req.principal.userId} or shared) order by name`.execute(tx)
          ).rows.map(out),
        }),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/views',
    permission: 'authenticated',
    summary: 'Save a view',
    tags,
    status: 201,
    body: viewInput,
    response: SavedView,
    handler: (req) =>
      req.tx(async (tx) => {
        const b = req.body;
        const row = (
          await sql`insert into saved_views (tenant_id, id, object, name, owner_id, shared, filter, columns, sort)
            values (${req.principal.tenantId}, ${newId()}, ${b.object}, ${b.name}, ${req.principal.userId}, ${b.shared},
              ${b.filter ? JSON.stringify(b.filter) : null}::jsonb, ${b.columns ? JSON.stringify(b.columns) : null}::jsonb, ${b.sort ?? null}) returning *`.execute(
            tx,
          )
        ).rows[0];
        return out(row);
      }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/views/:id',
    permission: 'authenticated',
    summary: 'Change an own view',
    tags,
    params: idParam,
    body: viewPatch,
    response: SavedView,
    handler: (req) =>
      req.tx(async (tx) => {
        const b = req.body;
        const cur = (
          await sql<any>`select * from saved_views where tenant_id = ${req.principal.tenantId} and id = ${req.params.id} and owner_id = ${req.principal.userId}`.execute(
            tx,
          )
        ).rows[0];
        if (!cur) throw notFound('view');
        const row = (
          await sql`update saved_views set name = ${b.name ?? cur.name}, shared = ${b.shared ?? cur.shared},
            filter = ${b.filter === undefined ? (cur.filter ? JSON.stringify(cur.filter) : null) : b.filter ? JSON.stringify(b.filter) : null}::jsonb,
            columns = ${b.columns === undefined ? (cur.columns ? JSON.stringify(cur.columns) : null) : b.columns ? JSON.stringify(b.columns) : null}::jsonb,
            sort = ${b.sort === undefined ? cur.sort : b.sort}, updated_at = now()
            where tenant_id = ${req.principal.tenantId} and id = ${cur.id} returning *`.execute(tx)
        ).rows[0];
        return out(row);
      }),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/views/:id',
    permission: 'authenticated',
    summary: 'Delete an own view',
    tags,
    status: 204,
    params: idParam,
    handler: (req) =>
      req.tx(async (tx) => {
        const r =
          await sql`delete from saved_views where tenant_id = ${req.principal.tenantId} and id = ${req.params.id} and owner_id = ${req.principal.userId}`.execute(
            tx,
          );
        if (!Number(r.numAffectedRows ?? 0)) throw notFound('view');
      }),
  }),
];

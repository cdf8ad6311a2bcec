import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { recordCtx } from '../../engine/records/record.service.ts';
import { kanban, moveStage, setSopItem, sopView } from './opportunity.service.ts';
import { listPipelines } from './pipeline.queries.ts';
import { createPipeline, updatePipeline } from './pipeline.service.ts';
import { kanbanQuery, pipelineCreate, pipelinePatch, sopToggle, stageMove } from './sales.schemas.ts';

export const opportunityRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/opportunities/kanban',
    permission: 'opportunity:read',
    summary: 'Kanban: per-stage counts, sums, weighted sums and first page of cards (data scope applies)',
    tags: ['sales'],
    query: kanbanQuery,
    handler: (req) =>
      req.tx(async (tx) => kanban(await recordCtx(tx, req.principal, req.actor, 'opportunity'), req.query)),
  }),
  defineRoute({
    method: 'POST',
    url: '/opportunities/:id/stage',
    permission: 'opportunity:update',
    probe: { params: { id: 'opportunity' } },
    summary: 'Move an opportunity to another stage (SOP-guarded; lost needs a reason; won/lost terminal)',
    tags: ['sales'],
    params: idParam,
    body: stageMove,
    handler: (req) =>
      req.tx(async (tx) =>
        moveStage(
          await recordCtx(tx, req.principal, req.actor, 'opportunity'),
          req.params.id,
          req.body,
          req.locale,
        ),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/opportunities/:id/sop',
    permission: 'opportunity:read',
    probe: { params: { id: 'opportunity' } },
    summary: "The opportunity's SOP checklist per stage with done state",
    tags: ['sales'],
    params: idParam,
    handler: (req) =>
      req.tx(async (tx) =>
        sopView(await recordCtx(tx, req.principal, req.actor, 'opportunity'), req.params.id),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/opportunities/:id/sop',
    permission: 'opportunity:update',
    probe: { params: { id: 'opportunity' } },
    summary: 'Tick or untick one SOP item',
    tags: ['sales'],
    params: idParam,
    body: sopToggle,
    handler: (req) =>
      req.tx(async (tx) =>
        setSopItem(await recordCtx(tx, req.principal, req.actor, 'opportunity'), req.params.id, req.body),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/pipelines',
    permission: 'opportunity:read',
    summary: "The tenant's pipelines with stages and SOP checklists",
    tags: ['sales'],
    handler: (req) => req.tx(async (tx) => ({ items: await listPipelines(tx, req.principal.tenantId) })),
  }),
  defineRoute({
    method: 'POST',
    url: '/pipelines',
    permission: 'sales:configure',
    summary: 'Create a pipeline',
    tags: ['sales'],
    body: pipelineCreate,
    status: 201,
    handler: (req) =>
      req.tx((tx) => createPipeline(tx, req.actor, req.principal.tenantId, req.body as any, req.locale)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/pipelines/:id',
    permission: 'sales:configure',
    summary: 'Change a pipeline (stages, SOP, default)',
    tags: ['sales'],
    params: idParam,
    body: pipelinePatch,
    probe: { params: { id: 'pipeline' } },
    handler: (req) =>
      req.tx((tx) =>
        updatePipeline(tx, req.actor, req.principal.tenantId, req.params.id, req.body as any, req.locale),
      ),
  }),
];

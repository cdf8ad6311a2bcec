import { RecordData } from '@kehu/contracts/common';
import {
  Kanban,
  KanbanQuery,
  SALES_PERMISSIONS as P,
  Pipeline,
  PipelineCreate,
  PipelineList,
  PipelinePatch,
  SopToggle,
  SopView,
  StageMove,
} from '@kehu/contracts/sales';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { recordCtx } from '../../engine/records/record.service.ts';
import { kanban, moveStage, setSopItem, sopView } from './opportunity.service.ts';
import { listPipelines } from './pipeline.queries.ts';
import { createPipeline, updatePipeline } from './pipeline.service.ts';

export const opportunityRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/opportunities/kanban',
    permission: P.opportunity.read,
    summary: 'Kanban: per-stage counts, sums, weighted sums and first page of cards (data scope applies)',
    tags: ['sales'],
    query: KanbanQuery,
    response: Kanban,
    handler: (req) =>
      req.tx(async (tx) => kanban(await recordCtx(tx, req.principal, req.actor, 'opportunity'), req.query)),
  }),
  defineRoute({
    method: 'POST',
    url: '/opportunities/:id/stage',
    permission: P.opportunity.update,
    probe: { params: { id: 'opportunity' } },
    summary: 'Move an opportunity to another stage (SOP-guarded; lost needs a reason; won/lost terminal)',
    tags: ['sales'],
    params: idParam,
    body: StageMove,
    response: RecordData,
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
    permission: P.opportunity.read,
    probe: { params: { id: 'opportunity' } },
    summary: "The opportunity's SOP checklist per stage with done state",
    tags: ['sales'],
    params: idParam,
    response: SopView,
    handler: (req) =>
      req.tx(async (tx) =>
        sopView(await recordCtx(tx, req.principal, req.actor, 'opportunity'), req.params.id),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/opportunities/:id/sop',
    permission: P.opportunity.update,
    probe: { params: { id: 'opportunity' } },
    summary: 'Tick or untick one SOP item',
    tags: ['sales'],
    params: idParam,
    body: SopToggle,
    response: SopView,
    handler: (req) =>
      req.tx(async (tx) =>
        setSopItem(await recordCtx(tx, req.principal, req.actor, 'opportunity'), req.params.id, req.body),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/pipelines',
    permission: P.opportunity.read,
    summary: "The tenant's pipelines with stages and SOP checklists",
    tags: ['sales'],
    response: PipelineList,
    handler: (req) => req.tx(async (tx) => ({ items: await listPipelines(tx, req.principal.tenantId) })),
  }),
  defineRoute({
    method: 'POST',
    url: '/pipelines',
    permission: P.configure,
    summary: 'Create a pipeline',
    tags: ['sales'],
    body: PipelineCreate,
    status: 201,
    response: Pipeline,
    handler: (req) =>
      req.tx((tx) => createPipeline(tx, req.actor, req.principal.tenantId, req.body as any, req.locale)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/pipelines/:id',
    permission: P.configure,
    summary: 'Change a pipeline (stages, SOP, default)',
    tags: ['sales'],
    params: idParam,
    body: PipelinePatch,
    probe: { params: { id: 'pipeline' } },
    response: Pipeline,
    handler: (req) =>
      req.tx((tx) =>
        updatePipeline(tx, req.actor, req.principal.tenantId, req.params.id, req.body as any, req.locale),
      ),
  }),
];

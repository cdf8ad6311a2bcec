import type { ObjectHooks } from '../../engine/records/object-hooks.ts';
import { ensureDefaultPipeline, findPipeline } from './pipeline.queries.ts';

/**
 * Every opportunity, however created (generic API, import, lead conversion), starts in a
 * known pipeline at its first stage with that stage's win probability.
 */
export const opportunityHooks: ObjectHooks = {
  async beforeWrite(ctx, items, op) {
    if (op !== 'create') {
      for (const it of items)
        if (it.values.pipelineId !== undefined && it.values.pipelineId !== it.existing?.pipeline_id)
          it.errors.push({ field: 'pipelineId', code: 'read_only' });
      return;
    }
    const tenantId = ctx.principal.tenantId;
    const def = await ensureDefaultPipeline(ctx.tx, tenantId);
    const now = new Date().toISOString();
    for (const it of items) {
      const v = it.values;
      let pipeline = def;
      if (typeof v.pipelineId === 'string' && v.pipelineId !== def.id) {
        const p = await findPipeline(ctx.tx, tenantId, v.pipelineId);
        if (!p) {
          it.errors.push({ field: 'pipelineId', code: 'lookup_missing' });
          continue;
        }
        pipeline = p;
      }
      v.pipelineId = pipeline.id;
      const first = pipeline.stages.find((s) => s.kind === 'open') ?? pipeline.stages[0]!;
      const stage = typeof v.stage === 'string' ? pipeline.stages.find((s) => s.key === v.stage) : first;
      if (!stage) {
        it.errors.push({ field: 'stage', code: 'option', params: { value: v.stage } });
        continue;
      }
      v.stage = stage.key;
      if (v.probability === undefined || v.probability === null) v.probability = stage.probability;
      v.stageEnteredAt = now;
      if (stage.kind !== 'open' && !v.closedAt) v.closedAt = now;
    }
  },
};

import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import { bumpAuthzVersion } from '../../core/auth/access-loader.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import type { Label, Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import type { PicklistOption } from '../../engine/records/field-types.ts';
import type { Stage } from './pipeline.defaults.ts';
import { ensureDefaultPipeline, findPipeline, type Pipeline } from './pipeline.queries.ts';
import { salesProblem } from './sales.messages.ts';

const COLORS: Record<Stage['kind'], string> = { open: 'blue', won: 'green', lost: 'red' };

/** The stage picklist of `opportunity` for one tenant: every stage of every pipeline. */
export async function stageOptions(tx: Tx, tenantId: string): Promise<PicklistOption[] | null> {
  const rows = (
    await sql<{
      stages: Stage[];
    }>`select stages from pipelines where tenant_id = ${tenantId} and deleted_at is null
      order by is_default desc, created_at`.execute(tx)
  ).rows;
  if (rows.length === 0) return null;
  const seen = new Map<string, PicklistOption>();
  for (const r of rows)
    for (const s of r.stages)
      if (!seen.has(s.key)) seen.set(s.key, { value: s.key, label: s.label, color: COLORS[s.kind] });
  return [...seen.values()];
}

function checkStages(stages: Stage[], locale: Locale) {
  const kinds = new Set(stages.map((s) => s.kind));
  const keys = stages.map((s) => s.key);
  if (!kinds.has('open') || !kinds.has('won') || !kinds.has('lost') || new Set(keys).size !== keys.length)
    throw salesProblem('validation', locale, 'pipeline_stages', {}, [
      { field: 'stages', code: 'pipeline_stages' },
    ]);
  for (const s of stages) {
    const itemKeys = s.sop.map((i) => i.key);
    if (new Set(itemKeys).size !== itemKeys.length)
      throw salesProblem('validation', locale, 'pipeline_stages', {}, [
        { field: `stages.${s.key}.sop`, code: 'unique' },
      ]);
  }
}

export async function createPipeline(
  tx: Tx,
  actor: Actor,
  tenantId: string,
  input: { name: Label; stages: Stage[]; isDefault?: boolean },
  locale: Locale,
): Promise<Pipeline> {
  checkStages(input.stages, locale);
  await ensureDefaultPipeline(tx, tenantId);
  const id = newId();
  if (input.isDefault)
    await sql`update pipelines set is_default = false where tenant_id = ${tenantId} and is_default`.execute(
      tx,
    );
  await sql`insert into pipelines (tenant_id, id, name, is_default, stages)
    values (${tenantId}, ${id}, ${JSON.stringify(input.name)}::jsonb, ${input.isDefault ?? false}, ${JSON.stringify(input.stages)}::jsonb)`.execute(
    tx,
  );
  await writeAudit(tx, actor, {
    action: 'pipeline_create',
    object: 'pipeline',
    recordId: id,
    meta: { name: input.name },
  });
  await bumpAuthzVersion(tx, tenantId);
  return (await findPipeline(tx, tenantId, id))!;
}

export async function updatePipeline(
  tx: Tx,
  actor: Actor,
  tenantId: string,
  id: string,
  input: { name?: Label; stages?: Stage[]; isDefault?: boolean; version: number },
  locale: Locale,
): Promise<Pipeline> {
  const before = await findPipeline(tx, tenantId, id);
  if (!before) throw notFound('pipeline');
  if (before.version !== input.version)
    throw salesProblem('conflict', locale, 'conflict.version', { current: before.version });
  if (input.stages) {
    checkStages(input.stages, locale);
    // A stage still holding opportunities cannot disappear from its pipeline.
    const used = (
      await sql<{
        stage: string;
      }>`select distinct stage from opportunities where tenant_id = ${tenantId} and pipeline_id = ${id} and deleted_at is null`.execute(
        tx,
      )
    ).rows.map((r) => r.stage);
    const missing = used.filter((k) => !input.stages!.some((s) => s.key === k));
    if (missing.length)
      throw salesProblem(
        'validation',
        locale,
        'pipeline_stages',
        {},
        missing.map((k) => ({ field: `stages.${k}`, code: 'in_use' })),
      );
  }
  if (input.isDefault)
    await sql`update pipelines set is_default = false where tenant_id = ${tenantId} and is_default and id <> ${id}`.execute(
      tx,
    );
  await sql`update pipelines set
      name = coalesce(${input.name ? JSON.stringify(input.name) : null}::jsonb, name),
      stages = coalesce(${input.stages ? JSON.stringify(input.stages) : null}::jsonb, stages),
      is_default = ${input.isDefault ?? before.isDefault},
      version = version + 1, updated_at = now()
    where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'pipeline_update',
    object: 'pipeline',
    recordId: id,
    changes: [
      ...(input.stages
        ? [{ field: 'stages', from: before.stages.map((s) => s.key), to: input.stages.map((s) => s.key) }]
        : []),
      ...(input.name ? [{ field: 'name', from: before.name, to: input.name }] : []),
    ],
  });
  await bumpAuthzVersion(tx, tenantId);
  return (await findPipeline(tx, tenantId, id))!;
}

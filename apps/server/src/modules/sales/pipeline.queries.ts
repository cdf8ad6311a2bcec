import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Label } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { DEFAULT_PIPELINE_NAME, DEFAULT_STAGES, type Stage } from './pipeline.defaults.ts';

export interface Pipeline {
  id: string;
  name: Label;
  isDefault: boolean;
  stages: Stage[];
  version: number;
}

interface PipelineRow {
  id: string;
  name: Label;
  is_default: boolean;
  stages: Stage[];
  version: number;
}

const toPipeline = (r: PipelineRow): Pipeline => ({
  id: r.id,
  name: r.name,
  isDefault: r.is_default,
  stages: r.stages,
  version: r.version,
});

export async function listPipelines(tx: Tx, tenantId: string): Promise<Pipeline[]> {
  await ensureDefaultPipeline(tx, tenantId);
  const rows = (
    await sql<PipelineRow>`select id, name, is_default, stages, version from pipelines
      where tenant_id = ${tenantId} and deleted_at is null order by is_default desc, created_at`.execute(tx)
  ).rows;
  return rows.map(toPipeline);
}

export async function findPipeline(tx: Tx, tenantId: string, id: string): Promise<Pipeline | null> {
  const r = (
    await sql<PipelineRow>`select id, name, is_default, stages, version from pipelines
      where tenant_id = ${tenantId} and id::text = ${id} and deleted_at is null`.execute(tx)
  ).rows[0];
  return r ? toPipeline(r) : null;
}

/** Every tenant has a default pipeline; it is created on first use (race-safe via the partial unique index). */
export async function ensureDefaultPipeline(tx: Tx, tenantId: string): Promise<Pipeline> {
  const existing = (
    await sql<PipelineRow>`select id, name, is_default, stages, version from pipelines
      where tenant_id = ${tenantId} and is_default and deleted_at is null`.execute(tx)
  ).rows[0];
  if (existing) return toPipeline(existing);
  await sql`insert into pipelines (tenant_id, id, name, is_default, stages)
    values (${tenantId}, ${newId()}, ${JSON.stringify(DEFAULT_PIPELINE_NAME)}::jsonb, true, ${JSON.stringify(DEFAULT_STAGES)}::jsonb)
    on conflict do nothing`.execute(tx);
  const row = (
    await sql<PipelineRow>`select id, name, is_default, stages, version from pipelines
      where tenant_id = ${tenantId} and is_default and deleted_at is null`.execute(tx)
  ).rows[0]!;
  return toPipeline(row);
}

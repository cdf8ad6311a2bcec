import {
  JourneyDefinition as DefinitionSchema,
  type GraphNode,
  type JourneyDefinition,
} from '@kehu/contracts/journeys';
import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';

/** A published version ready to run: its steps by id and where each handle leads. */
export interface CompiledVersion {
  journeyId: string;
  version: number;
  name: string;
  definition: JourneyDefinition;
  publishedBy: string | null;
  entryId: string;
  nodes: Map<string, GraphNode>;
  next: Map<string, Map<string, string>>;
}

export function compileVersion(
  journeyId: string,
  version: number,
  name: string,
  definition: unknown,
  publishedBy: string | null,
): CompiledVersion {
  const def = DefinitionSchema.parse(definition);
  const nodes = new Map(def.graph.nodes.map((n) => [n.id, n]));
  const next = new Map<string, Map<string, string>>();
  for (const e of def.graph.edges) {
    const m = next.get(e.source) ?? new Map<string, string>();
    m.set(e.sourceHandle, e.target);
    next.set(e.source, m);
  }
  const entry = def.graph.nodes.find((n) => n.data.kind === 'entry');
  if (!entry) throw new Error(`journey ${journeyId} v${version} has no entry`);
  return { journeyId, version, name, definition: def, publishedBy, entryId: entry.id, nodes, next };
}

/**
 * Versions by `journeyId:version`. A published version never changes (publishing makes a new
 * one), so a process may keep what it compiled for as long as it lives.
 */
const cache = new Map<string, CompiledVersion>();

export async function loadVersions(
  tx: Tx,
  tenantId: string,
  keys: { journeyId: string; version: number }[],
): Promise<Map<string, CompiledVersion>> {
  const out = new Map<string, CompiledVersion>();
  const missing: { journeyId: string; version: number }[] = [];
  for (const k of keys) {
    const key = `${tenantId}:${k.journeyId}:${k.version}`;
    const hit = cache.get(key);
    if (hit) out.set(`${k.journeyId}:${k.version}`, hit);
    else missing.push(k);
  }
  if (missing.length) {
    const r = await sql<{
      journey_id: string;
      version: number;
      name: string;
      definition: unknown;
      published_by: string | null;
    }>`select v.journey_id, v.version, j.name, v.definition, v.published_by
      from journey_versions v join journeys j on j.tenant_id = v.tenant_id and j.id = v.journey_id
      where v.tenant_id = ${tenantId} and v.status <> 'draft'
        and (v.journey_id, v.version) in (select * from jsonb_to_recordset(${JSON.stringify(missing)}::jsonb)
          as k("journeyId" uuid, version int))`.execute(tx);
    for (const row of r.rows) {
      const c = compileVersion(row.journey_id, row.version, row.name, row.definition, row.published_by);
      cache.set(`${tenantId}:${row.journey_id}:${row.version}`, c);
      out.set(`${row.journey_id}:${row.version}`, c);
      if (cache.size > 5000) cache.delete(cache.keys().next().value!);
    }
  }
  return out;
}

import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { describeObject } from './metadata.routes.ts';
import { loadMetadata } from './metadata.service.ts';

/** OpenAPI schemas `Record_<object>` of every object the caller's tenant has, custom fields included. */
export async function recordSchemas(database: Database, p: Principal): Promise<Record<string, unknown>> {
  const objects = await inTenant(database.db, p.tenantId, async (tx) => {
    const meta = await loadMetadata(tx, p.tenantId, p.authzVersion);
    return [...meta.objects.values()].map((o) => describeObject(p, o));
  });
  const schemas: Record<string, unknown> = {};
  for (const o of objects) {
    schemas[`Record_${o.apiName}`] = {
      type: 'object',
      title: o.label['en-US'],
      description: o.label['zh-CN'],
      properties: Object.fromEntries(
        o.fields.map((f) => [
          f.apiName,
          {
            description: `${f.label['zh-CN']} / ${f.label['en-US']}`,
            'x-kehu-type': f.type,
            ...jsonType(f.type, f.options),
          },
        ]),
      ),
      required: o.fields.filter((f) => f.required).map((f) => f.apiName),
    };
  }
  return schemas;
}

function jsonType(type: string, options: { value: string }[] | null): Record<string, unknown> {
  switch (type) {
    case 'number':
    case 'percent':
      return { type: 'number' };
    case 'currency':
      return { type: 'object', properties: { amount: { type: 'integer' }, currency: { type: 'string' } } };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'datetime':
      return { type: 'string', format: 'date-time' };
    case 'picklist':
      return { type: 'string', enum: options?.map((o) => o.value) };
    case 'multipicklist':
      return { type: 'array', items: { type: 'string', enum: options?.map((o) => o.value) } };
    case 'json':
      return {};
    default:
      return { type: 'string' };
  }
}

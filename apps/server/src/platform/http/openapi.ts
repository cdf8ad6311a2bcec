import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { describeObject } from '../../records/metadata.routes.ts';
import { loadMetadata } from '../../records/metadata.service.ts';
import type { Database } from '../db/database.ts';
import { inTenant } from '../db/tenant-scope.ts';
import { registerApiReference, SPEC_URL } from './api-reference.ts';
import { authenticate, routeTable } from './route.ts';

const toSchema = (s: z.ZodType | undefined, io: 'input' | 'output') => {
  if (!s) return undefined;
  try {
    return z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' });
  } catch {
    return {};
  }
};

const problem = {
  description: 'RFC 9457 problem',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

/** OpenAPI 3.1 from the same zod schemas the routes validate with; per tenant when signed in. */
export function buildOpenApi(objects: ReturnType<typeof describeObject>[] = []) {
  const paths: Record<string, any> = {};
  for (const r of routeTable) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const params = [...r.url.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const querySchema = toSchema(r.query, 'input') as any;
    const queryParams = querySchema?.properties
      ? Object.entries(querySchema.properties).map(([name, schema]) => ({
          name,
          in: 'query',
          required: (querySchema.required ?? []).includes(name),
          schema,
        }))
      : [];
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      tags: r.tags,
      operationId: `${r.method.toLowerCase()}${path.replace(/[^a-zA-Z0-9]+(.)?/g, (_, c) => (c ? c.toUpperCase() : ''))}`,
      'x-permission': typeof r.permission === 'function' ? '<object>:<action>' : r.permission,
      security: r.permission === 'public' ? [] : [{ session: [] }, { apiKey: [] }],
      parameters: [...params, ...queryParams],
      ...(r.body && !r.rawBody
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(r.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [String(r.status ?? 200)]:
          r.status === 204
            ? { description: 'No content' }
            : {
                description: 'OK',
                content: { 'application/json': { schema: toSchema(r.response, 'output') ?? {} } },
              },
        '4XX': problem,
      },
    };
  }
  const schemas: Record<string, any> = {
    Problem: {
      type: 'object',
      properties: {
        type: { type: 'string' },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string' },
        code: { type: 'string' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  };
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
  return {
    openapi: '3.1.0',
    info: {
      title: 'Kehu API',
      version: '1',
      description: 'Kehu (客户) REST API. Errors are RFC 9457 problem+json.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'kehu_session' },
        apiKey: { type: 'http', scheme: 'bearer', description: 'kh_… API key' },
      },
      schemas,
    },
    paths,
  };
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

export function registerOpenApi(app: FastifyInstance, database: Database) {
  const handler = async (req: any) => {
    const p = await authenticate(database, req).catch(() => null);
    if (!p) return buildOpenApi();
    const objects = await inTenant(database.db, p.tenantId, async (tx) => {
      const meta = await loadMetadata(tx, p.tenantId, p.authzVersion);
      return [...meta.objects.values()].map((o) => describeObject(p, o));
    });
    return buildOpenApi(objects);
  };
  app.get(SPEC_URL, handler);
  registerApiReference(app);
}

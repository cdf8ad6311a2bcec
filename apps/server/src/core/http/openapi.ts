import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../auth/principal.ts';
import type { Database } from '../db/database.ts';
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
export function buildOpenApi(extraSchemas: Record<string, unknown> = {}) {
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
            : r.file
              ? {
                  description: 'A file',
                  content: Object.fromEntries(
                    r.file.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
                  ),
                }
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
  Object.assign(schemas, extraSchemas);
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

/**
 * Schemas that depend on who asks (the record engine describes the caller's tenant's objects,
 * custom ones included): given by the layer that knows them, so the kernel knows no business.
 */
export type TenantSchemas = (database: Database, principal: Principal) => Promise<Record<string, unknown>>;

export function registerOpenApi(app: FastifyInstance, database: Database, tenantSchemas?: TenantSchemas) {
  const handler = async (req: any) => {
    const p = await authenticate(database, req).catch(() => null);
    if (!p || !tenantSchemas) return buildOpenApi();
    return buildOpenApi(await tenantSchemas(database, p));
  };
  app.get(SPEC_URL, handler);
  registerApiReference(app);
}

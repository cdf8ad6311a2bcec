import { ADMIN_PERMISSIONS, ApiKeyCreated, ApiKeyInput, ApiKeyList } from '@kehu/contracts/admin';
import { sql } from 'kysely';
import { recordChange } from '../../../core/audit/change.ts';
import { API_KEY_PREFIX } from '../../../core/auth/authenticate.ts';
import { can } from '../../../core/auth/principal.ts';
import { randomToken, sha256, uuidToHex } from '../../../core/auth/tokens.ts';
import type { TypedTx } from '../../../core/db/tenant-scope.ts';
import { forbidden, notFound } from '../../../core/errors.ts';
import { defineRoute, idParam, type RouteSpec } from '../../../core/http/route.ts';
import { newId } from '../../../core/ids.ts';

const tags = ['admin'];

/** API keys act as the user who made them, narrowed to their scopes; stored hashed, shown once. */
export const apiKeyRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/admin/api-keys',
    permission: ADMIN_PERMISSIONS.apiKeys,
    summary: 'List API keys',
    tags,
    response: ApiKeyList,
    handler: (req) =>
      req.tx(
        async (tx: TypedTx) => ({
          items: (
            await tx
              .selectFrom('api_keys as k')
              .leftJoin('users as u', (join) =>
                join.onRef('u.tenant_id', '=', 'k.tenant_id').onRef('u.id', '=', 'k.user_id'),
              )
              .select([
                'k.id',
                'k.name',
                'k.prefix',
                'k.scopes',
                'k.created_at',
                'k.last_used_at',
                'k.revoked_at',
                'u.name as user_name',
              ])
              .where('k.tenant_id', '=', req.principal.tenantId)
              .orderBy('k.created_at', 'desc')
              .execute()
          ).map((k) => ({
            id: k.id,
            name: k.name,
            prefix: k.prefix,
            scopes: k.scopes,
            userName: k.user_name,
            createdAt: k.created_at,
            lastUsedAt: k.last_used_at,
            revokedAt: k.revoked_at,
          })),
        }),
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/admin/api-keys',
    permission: ADMIN_PERMISSIONS.apiKeys,
    summary: 'Create an API key (the key is in this response only)',
    tags,
    status: 201,
    body: ApiKeyInput,
    response: ApiKeyCreated,
    handler: (req) => {
      // A key may mint keys no broader than itself; otherwise a narrow key escalates to its user's full rights.
      const own = req.principal.apiScopes;
      const wider =
        own && !own.includes('*')
          ? req.body.scopes.find((s) => !own.includes(s) && (s.includes('*') || !can(req.principal, s)))
          : undefined;
      if (wider) throw forbidden(wider);
      return req.tx(async (tx: TypedTx) => {
        const id = newId();
        const secret = randomToken();
        const key = `${API_KEY_PREFIX}${uuidToHex(id)}_${secret}`;
        const prefix = key.slice(0, 12);
        await tx
          .insertInto('api_keys')
          .values({
            tenant_id: req.principal.tenantId,
            id,
            name: req.body.name,
            prefix,
            key_hash: sha256(secret),
            scopes: req.body.scopes,
            user_id: req.principal.userId,
          })
          .execute();
        await recordChange(tx, req.actor, 'api_key.created', {
          action: 'api_key_create',
          object: 'api_key',
          recordId: id,
          meta: { name: req.body.name, scopes: req.body.scopes },
        });
        return { id, key, prefix, name: req.body.name, scopes: req.body.scopes };
      });
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/admin/api-keys/:id',
    permission: ADMIN_PERMISSIONS.apiKeys,
    summary: 'Revoke an API key',
    tags,
    status: 204,
    params: idParam,
    handler: (req) =>
      req.tx(async (tx: TypedTx) => {
        const r = await tx
          .updateTable('api_keys')
          .set({ revoked_at: sql<Date>`now()` })
          .where('tenant_id', '=', req.principal.tenantId)
          .where('id', '=', req.params.id)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        if (!Number(r.numUpdatedRows)) throw notFound('api_key');
        await recordChange(tx, req.actor, 'api_key.revoked', {
          action: 'api_key_revoke',
          object: 'api_key',
          recordId: req.params.id,
        });
      }),
  }),
];

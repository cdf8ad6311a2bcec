import { ADMIN_PERMISSIONS, UserDisableCheckResult } from '@kehu/contracts/admin-user-disable';
import type { TypedTx } from '../../../core/db/tenant-scope.ts';
import { notFound } from '../../../core/errors.ts';
import { defineRoute, idParam, type RouteSpec } from '../../../core/http/route.ts';
import { userDisableFindings } from './user-disable-checks.ts';
import { loadUsers } from './users.queries.ts';

export const userDisableCheckRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/admin/users/:id/disable-check',
    permission: ADMIN_PERMISSIONS.users,
    summary: 'What a user still holds that someone should take over (shown when disabling them)',
    tags: ['admin'],
    params: idParam,
    response: UserDisableCheckResult,
    handler: (req) =>
      req.tx(
        async (tx: TypedTx) => {
          const [u] = await loadUsers(tx, req.principal.tenantId, req.params.id);
          if (!u) throw notFound('user');
          const items = await userDisableFindings(tx, req.principal.tenantId, u.id);
          return {
            items: items.map((f) => ({
              key: f.key,
              message: req.locale === 'en-US' ? f.message['en-US'] : f.message['zh-CN'],
              link: f.link,
              counts: f.counts,
            })),
          };
        },
        { readOnly: true },
      ),
  }),
];

import { WECOM_PERMISSIONS } from '@kehu/contracts/wecom';
import {
  ActivityPulled,
  ActivityQuery,
  ActivityReport,
  GroupDetail,
  GroupList,
  GroupSyncResult,
  GroupsQuery,
  WECOM_ACTIVITY_PERMISSION,
} from '@kehu/contracts/wecom-groups';
import { z } from 'zod';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { activityReport, ensureNightlyActivity, pullActivity } from './activity.service.ts';
import { wecomFailure } from './codes.service.ts';
import { corpRuntime, getCorp } from './corps.service.ts';
import { getGroup, listGroups, syncGroupsFor } from './groups.service.ts';

const tags = ['wecom'];
const PullQuery = z.object({ days: z.coerce.number().int().min(1).max(30).optional() }).strict();

/** 客户群 and staff activity (issue 10, R11.3). */
export const groupRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/wecom/groups',
    permission: WECOM_PERMISSIONS.read,
    summary: 'Customer groups (客户群) of the corps the caller sees, dismissed ones last',
    tags,
    query: GroupsQuery,
    response: GroupList,
    handler: (req) => req.tx((tx) => listGroups(tx, req.principal, req.query), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/groups/:id',
    permission: WECOM_PERMISSIONS.read,
    summary:
      'One customer group: members linked to their CRM contact / CDP profile, joins and leaves per day',
    tags,
    params: idParam,
    response: GroupDetail,
    probe: { params: { id: 'wecom_group' } },
    handler: (req) => getGroup(req.database, req.principal, req.params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/corps/:id/groups/sync',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Read every customer group of the corp from WeCom (groupchat/list + groupchat/get)',
    tags,
    params: idParam,
    response: GroupSyncResult,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) => syncGroupsFor(req.database, req.principal, req.params.id, req.locale),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/activity',
    permission: WECOM_ACTIVITY_PERMISSION,
    summary:
      'Staff activity per staff member and team per day (a salesperson sees themself, a manager their team)',
    tags,
    query: ActivityQuery,
    response: ActivityReport,
    handler: (req) => activityReport(req.database, req.principal, req.query),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/corps/:id/activity/pull',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Pull staff behaviour and group statistics from WeCom now, and keep a nightly pull queued',
    tags,
    params: idParam,
    query: PullQuery,
    response: ActivityPulled,
    probe: { params: { id: 'wecom_corp' } },
    handler: async (req) => {
      const p = req.principal;
      const corp = await inTenant(
        req.database.db,
        p.tenantId,
        async (tx) => {
          await getCorp(tx, p, req.params.id);
          return corpRuntime(tx, p.tenantId, req.params.id);
        },
        { readOnly: true },
      );
      let res: Awaited<ReturnType<typeof pullActivity>>;
      try {
        res = await pullActivity(req.database, corp, req.query.days ?? 7);
      } catch (err) {
        wecomFailure(req.locale, err);
      }
      await inTenant(req.database.db, p.tenantId, (tx) =>
        ensureNightlyActivity(tx, p.tenantId, corp.corpRef),
      );
      return res;
    },
  }),
];

import {
  ChannelCode,
  ChannelCodeInput,
  ChannelCodeList,
  ChannelCodePatch,
  ChannelCodeStats,
  Corp,
  CorpInput,
  CorpList,
  CorpPatch,
  CreatedCorp,
  ExternalContactList,
  ExternalContactsQuery,
  PollResult,
  ReconcileQueued,
  StaffList,
  StaffMapping,
  StatsQuery,
  SyncResult,
  TransferInput,
  TransferList,
  TransferStarted,
  Unassigned,
  WECOM_PERMISSIONS,
} from '@kehu/contracts/wecom';
import { sql } from 'kysely';
import { z } from 'zod';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { profileOfIdentity } from '../cdp/index.ts';
import {
  codeQrImage,
  codeStats,
  createCode,
  deleteCode,
  getCode,
  listCodes,
  listContacts,
  listStaff,
  mapStaff,
  syncStaff,
  updateCode,
} from './codes.service.ts';
import { createCorp, deleteCorp, getCorp, listCorps, patchCorp } from './corps.service.ts';
import { sendQrImage } from './qr-image.ts';
import { queueBoundReconcile, queueReconcileNow } from './reconcile-schedule.ts';
import { enqueueTagSync } from './tags.service.ts';
import { listTransfers, pollTransfers, startTransfer, unassigned } from './transfers.service.ts';

const tags = ['wecom'];
const staffParams = z.object({ id: z.uuid(), userid: z.string().min(1).max(64) });
const CorpQuery = z.object({ corpRef: z.uuid().optional() });

export const wecomRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/wecom/corps',
    permission: WECOM_PERMISSIONS.read,
    summary: 'WeCom corps bound by units the caller sees (secrets are never returned)',
    tags,
    response: CorpList,
    handler: (req) => req.tx((tx) => listCorps(tx, req.principal), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/corps',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Bind a corp to a unit; generated callback token and EncodingAESKey are shown this once',
    tags,
    body: CorpInput,
    response: CreatedCorp,
    status: 201,
    probe: { body: { unitId: 'unit' } },
    handler: (req) =>
      req.tx(async (tx) => {
        const corp = await createCorp(tx, req.principal, req.actor, req.body, req.locale);
        // The corp tag list is pulled shortly after binding (secrets and WeCom's side get set up first).
        await enqueueTagSync(tx, req.principal.tenantId, corp.id);
        await queueBoundReconcile(tx, req.principal.tenantId, corp.id);
        return corp;
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/corps/:id',
    permission: WECOM_PERMISSIONS.read,
    summary: 'One corp',
    tags,
    params: idParam,
    response: Corp,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) => req.tx((tx) => getCorp(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/wecom/corps/:id',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Rename a corp or replace its secrets (cached tokens are dropped)',
    tags,
    params: idParam,
    body: CorpPatch,
    response: Corp,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) =>
      req.tx((tx) => patchCorp(tx, req.principal, req.actor, req.params.id, req.body, req.locale)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/wecom/corps/:id',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Unbind a corp (its callbacks are refused from now on)',
    tags,
    params: idParam,
    status: 204,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) => req.tx((tx) => deleteCorp(tx, req.principal, req.actor, req.params.id)),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/corps/:id/staff',
    permission: WECOM_PERMISSIONS.read,
    summary: 'The corp’s staff and their Kehu users',
    tags,
    params: idParam,
    response: StaffList,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) => req.tx((tx) => listStaff(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/corps/:id/staff/sync',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Read the corp’s directory from WeCom and map staff to users by mobile',
    tags,
    params: idParam,
    response: SyncResult,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) => syncStaff(req.database, req.principal, req.params.id, req.locale),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/corps/:id/reconcile',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Queue a reconciliation: customers WeCom has that Kehu missed (lost callbacks) are added',
    tags,
    params: idParam,
    response: ReconcileQueued,
    status: 202,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) =>
      req.tx(async (tx) => {
        await getCorp(tx, req.principal, req.params.id);
        const jobId = await queueReconcileNow(tx, req.principal.tenantId, req.params.id, 'full', 'manual');
        return { queued: true, jobId };
      }),
  }),
  defineRoute({
    method: 'PUT',
    url: '/wecom/corps/:id/staff/:userid',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Map a staff member to a Kehu user by hand (null unmaps)',
    tags,
    params: staffParams,
    body: StaffMapping,
    response: StaffList,
    probe: { params: { id: 'wecom_corp', userid: '=probe' } },
    handler: (req) =>
      req.tx((tx) =>
        mapStaff(tx, req.principal, req.actor, req.params.id, req.params.userid, req.body.userId, req.locale),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/corps/:id/unassigned',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Customers of staff who left, waiting for a takeover (离职待分配)',
    tags,
    params: idParam,
    response: Unassigned,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) => unassigned(req.database, req.principal, req.params.id, req.locale),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/corps/:id/transfers',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Transfers (在职/离职继承) of a corp, newest first, with WeCom’s status',
    tags,
    params: idParam,
    response: TransferList,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) => req.tx((tx) => listTransfers(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/corps/:id/transfers/poll',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Ask WeCom how open transfers went; finished ones move the customer and CRM ownership',
    tags,
    params: idParam,
    response: PollResult,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) => pollTransfers(req.database, req.principal, req.actor, req.params.id, req.locale),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/transfers',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Transfer customers from one staff member to another (在职继承 or 离职继承), 100 per WeCom call',
    tags,
    body: TransferInput,
    response: TransferStarted,
    status: 202,
    probe: { body: { corpRef: 'wecom_corp' } },
    handler: (req) => startTransfer(req.database, req.principal, req.actor, req.body, req.locale),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/codes',
    permission: WECOM_PERMISSIONS.read,
    summary: 'Channel codes (渠道活码) with today’s and total adds',
    tags,
    query: CorpQuery,
    response: ChannelCodeList,
    handler: (req) => req.tx((tx) => listCodes(tx, req.principal, req.query.corpRef), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/codes',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Create a channel code: a contact way in WeCom plus Kehu’s channel, tags, welcome and caps',
    tags,
    body: ChannelCodeInput,
    response: ChannelCode,
    status: 201,
    probe: { body: { corpRef: 'wecom_corp' } },
    handler: (req) => createCode(req.database, req.principal, req.actor, req.body, req.locale),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/codes/:id',
    permission: WECOM_PERMISSIONS.read,
    summary: 'One channel code',
    tags,
    params: idParam,
    response: ChannelCode,
    probe: { params: { id: 'wecom_code' } },
    handler: (req) => req.tx((tx) => getCode(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/wecom/codes/:id',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Change a channel code (staff and skip-verify are updated in WeCom)',
    tags,
    params: idParam,
    body: ChannelCodePatch,
    response: ChannelCode,
    probe: { params: { id: 'wecom_code' } },
    handler: (req) => updateCode(req.database, req.principal, req.actor, req.params.id, req.body, req.locale),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/wecom/codes/:id',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Delete a channel code in WeCom and Kehu',
    tags,
    params: idParam,
    status: 204,
    probe: { params: { id: 'wecom_code' } },
    handler: (req) => deleteCode(req.database, req.principal, req.actor, req.params.id, req.locale),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/codes/:id/stats',
    permission: WECOM_PERMISSIONS.read,
    summary: 'Adds and losses per day and adds per staff member for one code',
    tags,
    params: idParam,
    query: StatsQuery,
    response: ChannelCodeStats,
    probe: { params: { id: 'wecom_code' } },
    handler: (req) =>
      req.tx((tx) => codeStats(tx, req.principal, req.params.id, req.query.days), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/codes/:id/qr',
    permission: WECOM_PERMISSIONS.read,
    summary: 'The code’s QR image (for the page, printing and posters)',
    tags,
    params: idParam,
    file: ['image/png', 'image/jpeg', 'image/svg+xml'],
    probe: { params: { id: 'wecom_code' } },
    handler: async (req, reply) =>
      sendQrImage(reply, await codeQrImage(req.database, req.principal, req.params.id, req.locale)),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/contacts',
    permission: WECOM_PERMISSIONS.read,
    summary: 'External contacts (客户) added to staff of the corps the caller sees, newest first',
    tags,
    query: ExternalContactsQuery,
    response: ExternalContactList,
    handler: async (req) => {
      const list = await req.tx((tx) => listContacts(tx, req.principal, req.query), { readOnly: true });
      // The CDP resolves identities after the add; the profile link is filled on first sight.
      for (const it of list.items) {
        if (it.profileId) continue;
        const corp = await req.tx((tx) => getCorp(tx, req.principal, it.corpRef), { readOnly: true });
        const pid = await profileOfIdentity(req.database, req.principal.tenantId, {
          kind: 'wecom_external_userid',
          namespace: corp.corpId,
          value: it.externalUserid,
        });
        if (!pid) continue;
        it.profileId = pid;
        await inTenant(req.database.db, req.principal.tenantId, (tx) =>
          sql`update wecom_external_contacts set profile_id = ${pid} where tenant_id = ${req.principal.tenantId}
            and corp_ref = ${it.corpRef} and external_userid = ${it.externalUserid} and profile_id is null`.execute(
            tx,
          ),
        );
      }
      return list;
    },
  }),
];

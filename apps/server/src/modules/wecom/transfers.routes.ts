import { WECOM_PERMISSIONS } from '@kehu/contracts/wecom';
import {
  GroupTransferInput,
  GroupTransferResult,
  RemarkInput,
  RemarkList,
  RemarkQuery,
  RemarkResult,
  TransferCandidates,
} from '@kehu/contracts/wecom-transfers';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../../core/http/route.ts';
import { transferGroups } from './group-transfers.service.ts';
import { editRemark, listRemarks } from './remarks.service.ts';
import { transferCandidates } from './transfers.service.ts';

const tags = ['wecom'];
const staffParams = z.object({ id: z.uuid(), userid: z.string().min(1).max(64) });

/** 在职继承 picking and group owner transfers (the customer transfer routes are in wecom.routes.ts). */
export const transferRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/wecom/corps/:id/staff/:userid/transfer-candidates',
    permission: WECOM_PERMISSIONS.manage,
    summary:
      'A staff member’s customers with the in-service transfers WeCom still allows each (2 per 90 days)',
    tags,
    params: staffParams,
    response: TransferCandidates,
    probe: { params: { id: 'wecom_corp', userid: '=probe' } },
    handler: (req) =>
      req.tx((tx) => transferCandidates(tx, req.principal, req.params.id, req.params.userid), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/group-transfers',
    permission: WECOM_PERMISSIONS.manage,
    summary:
      'Give customer groups a new owner (groupchat/transfer for leavers, groupchat/onjob_transfer otherwise)',
    tags,
    body: GroupTransferInput,
    response: GroupTransferResult,
    probe: { body: { corpRef: 'wecom_corp' } },
    handler: (req) => transferGroups(req.database, req.principal, req.actor, req.body, req.locale),
  }),
  defineRoute({
    method: 'PUT',
    url: '/wecom/contact-remarks',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Set a staff member’s remark, description and phones on a customer (externalcontact/remark)',
    tags,
    body: RemarkInput,
    response: RemarkResult,
    probe: { body: { corpRef: 'wecom_corp' } },
    handler: (req) => editRemark(req.database, req.principal, req.actor, req.body, req.locale),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/contact-remarks',
    permission: WECOM_PERMISSIONS.read,
    summary: 'Remarks (备注, description, phones, company) of a customer’s relations, with their version',
    tags,
    query: RemarkQuery,
    response: RemarkList,
    handler: (req) => listRemarks(req.database, req.principal, req.query),
  }),
];

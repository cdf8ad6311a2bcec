import { WECOM_PERMISSIONS } from '@kehu/contracts/wecom';
import {
  JoinCode,
  JoinCodeDaily,
  JoinCodeInput,
  JoinCodeList,
  JoinCodePatch,
} from '@kehu/contracts/wecom-join-codes';
import { z } from 'zod';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import {
  createJoinCode,
  deleteJoinCode,
  getJoinCode,
  joinCodeDaily,
  joinCodeQrImage,
  listJoinCodes,
  updateJoinCode,
} from './join-codes.service.ts';
import { sendQrImage } from './qr-image.ts';

const tags = ['wecom'];
const CorpQuery = z.object({ corpRef: z.uuid().optional() });
const DaysQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(30) });

export const joinCodeRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/wecom/join-codes',
    permission: WECOM_PERMISSIONS.read,
    summary: '群活码 of the corps the caller sees, with their groups and joins today / in total',
    tags,
    query: CorpQuery,
    response: JoinCodeList,
    handler: (req) => req.tx((tx) => listJoinCodes(tx, req.principal, req.query.corpRef), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/join-codes',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Create a 群活码 (groupchat/add_join_way, scene 2) over up to 5 synced groups',
    tags,
    body: JoinCodeInput,
    response: JoinCode,
    status: 201,
    probe: { body: { corpRef: 'wecom_corp' } },
    handler: (req) => createJoinCode(req.database, req.principal, req.actor, req.body, req.locale),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/join-codes/:id',
    permission: WECOM_PERMISSIONS.read,
    summary: 'One 群活码',
    tags,
    params: idParam,
    response: JoinCode,
    probe: { params: { id: 'wecom_join_code' } },
    handler: (req) => req.tx((tx) => getJoinCode(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/join-codes/:id/daily',
    permission: WECOM_PERMISSIONS.read,
    summary: 'Customers who joined through a 群活码, per day',
    tags,
    params: idParam,
    query: DaysQuery,
    response: JoinCodeDaily,
    probe: { params: { id: 'wecom_join_code' } },
    handler: (req) =>
      req.tx((tx) => joinCodeDaily(tx, req.principal, req.params.id, req.query.days), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/join-codes/:id/qr',
    permission: WECOM_PERMISSIONS.read,
    summary: 'The 群活码 QR image (for the page, printing and PNG download)',
    tags,
    params: idParam,
    file: ['image/png', 'image/jpeg', 'image/svg+xml'],
    probe: { params: { id: 'wecom_join_code' } },
    handler: async (req, reply) =>
      sendQrImage(reply, await joinCodeQrImage(req.database, req.principal, req.params.id, req.locale)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/wecom/join-codes/:id',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Rename a 群活码 or change its groups and auto-create settings (state stays)',
    tags,
    params: idParam,
    body: JoinCodePatch,
    response: JoinCode,
    probe: { params: { id: 'wecom_join_code' } },
    handler: (req) =>
      updateJoinCode(req.database, req.principal, req.actor, req.params.id, req.body, req.locale),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/wecom/join-codes/:id',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Delete a 群活码 in WeCom (members who joined stay in their groups)',
    tags,
    params: idParam,
    status: 204,
    probe: { params: { id: 'wecom_join_code' } },
    handler: (req) => deleteJoinCode(req.database, req.principal, req.actor, req.params.id, req.locale),
  }),
];

import { WECOM_PERMISSIONS } from '@kehu/contracts/wecom';
import {
  AcquisitionDaily,
  AcquisitionLink,
  AcquisitionLinkInput,
  AcquisitionLinkList,
  AcquisitionLinkPatch,
  AcquisitionQuota,
} from '@kehu/contracts/wecom-acquisition';
import { z } from 'zod';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import {
  acquisitionQuota,
  createLink,
  deleteLink,
  getLink,
  linkDaily,
  listLinks,
  updateLink,
} from './acquisition-links.service.ts';

const tags = ['wecom'];
const CorpQuery = z.object({ corpRef: z.uuid().optional() });
const DaysQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(30) });

export const acquisitionLinkRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/wecom/acquisition-links',
    permission: WECOM_PERMISSIONS.read,
    summary: '获客链接 of the corps the caller sees, with adds today and in total',
    tags,
    query: CorpQuery,
    response: AcquisitionLinkList,
    handler: (req) => req.tx((tx) => listLinks(tx, req.principal, req.query.corpRef), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/acquisition-links',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Create a 获客链接 in WeCom; its state comes back as customer_channel and attributes the adds',
    tags,
    body: AcquisitionLinkInput,
    response: AcquisitionLink,
    status: 201,
    probe: { body: { corpRef: 'wecom_corp' } },
    handler: (req) => createLink(req.database, req.principal, req.actor, req.body, req.locale),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/acquisition-links/:id',
    permission: WECOM_PERMISSIONS.read,
    summary: 'One 获客链接',
    tags,
    params: idParam,
    response: AcquisitionLink,
    probe: { params: { id: 'wecom_acquisition_link' } },
    handler: (req) => req.tx((tx) => getLink(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/acquisition-links/:id/daily',
    permission: WECOM_PERMISSIONS.read,
    summary: 'Adds through a 获客链接 per day',
    tags,
    params: idParam,
    query: DaysQuery,
    response: AcquisitionDaily,
    probe: { params: { id: 'wecom_acquisition_link' } },
    handler: (req) =>
      req.tx((tx) => linkDaily(tx, req.principal, req.params.id, req.query.days), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/wecom/acquisition-links/:id',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Rename a 获客链接 or change its staff (state stays: it attributes past adds)',
    tags,
    params: idParam,
    body: AcquisitionLinkPatch,
    response: AcquisitionLink,
    probe: { params: { id: 'wecom_acquisition_link' } },
    handler: (req) => updateLink(req.database, req.principal, req.actor, req.params.id, req.body, req.locale),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/wecom/acquisition-links/:id',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Delete a 获客链接 in WeCom (customers already added stay)',
    tags,
    params: idParam,
    status: 204,
    probe: { params: { id: 'wecom_acquisition_link' } },
    handler: (req) => deleteLink(req.database, req.principal, req.actor, req.params.id, req.locale),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/corps/:id/acquisition-quota',
    permission: WECOM_PERMISSIONS.read,
    summary: 'The corp’s 获客助手 quota from WeCom and the last balance warning it pushed',
    tags,
    params: idParam,
    response: AcquisitionQuota,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) => acquisitionQuota(req.database, req.principal, req.params.id, req.locale),
  }),
];

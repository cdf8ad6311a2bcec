import { WECOM_PERMISSIONS } from '@kehu/contracts/wecom';
import {
  StoreCode,
  StoreCodeDaily,
  StoreCodeInput,
  StoreCodeList,
  StoreCodePatch,
} from '@kehu/contracts/wecom-store-codes';
import QRCode from 'qrcode';
import { z } from 'zod';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import {
  createStoreCode,
  deleteStoreCode,
  getStoreCode,
  listStoreCodes,
  storeCodeDaily,
  updateStoreCode,
} from './store-codes.service.ts';

const tags = ['wecom'];
const CorpQuery = z.object({ corpRef: z.uuid().optional() });
const DaysQuery = z.object({ days: z.coerce.number().int().min(1).max(90).default(30) });

/** 门店活码 (issue 10): a public landing page over many stores, each with its own contact way. */
export const storeCodeRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/wecom/store-codes',
    permission: WECOM_PERMISSIONS.read,
    summary: 'Store codes (门店活码) with their stores, scans and adds',
    tags,
    query: CorpQuery,
    response: StoreCodeList,
    handler: (req) =>
      req.tx((tx) => listStoreCodes(tx, req.principal, req.query.corpRef), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/store-codes',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Create a store code: one contact way per store (its staff), one public landing page by city',
    tags,
    body: StoreCodeInput,
    response: StoreCode,
    status: 201,
    probe: { body: { corpRef: 'wecom_corp' } },
    handler: (req) => createStoreCode(req.database, req.principal, req.actor, req.body, req.locale),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/store-codes/:id',
    permission: WECOM_PERMISSIONS.read,
    summary: 'One store code',
    tags,
    params: idParam,
    response: StoreCode,
    probe: { params: { id: 'wecom_store_code' } },
    handler: (req) => req.tx((tx) => getStoreCode(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/wecom/store-codes/:id',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Change a store code; `stores` replaces the list (WeCom follows); a stale `version` is a 409',
    tags,
    params: idParam,
    body: StoreCodePatch,
    response: StoreCode,
    probe: { params: { id: 'wecom_store_code' } },
    handler: (req) =>
      updateStoreCode(req.database, req.principal, req.actor, req.params.id, req.body, req.locale),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/wecom/store-codes/:id',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Delete a store code, its stores’ contact ways and its landing page',
    tags,
    params: idParam,
    status: 204,
    probe: { params: { id: 'wecom_store_code' } },
    handler: (req) => deleteStoreCode(req.database, req.principal, req.actor, req.params.id),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/store-codes/:id/daily',
    permission: WECOM_PERMISSIONS.read,
    summary: 'Scans and adds per store per day',
    tags,
    params: idParam,
    query: DaysQuery,
    response: StoreCodeDaily,
    probe: { params: { id: 'wecom_store_code' } },
    handler: (req) =>
      req.tx((tx) => storeCodeDaily(tx, req.principal, req.params.id, req.query.days), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/wecom/store-codes/:id/landing-qr',
    permission: WECOM_PERMISSIONS.read,
    summary: 'The landing page’s QR image (PNG), for posters',
    tags,
    params: idParam,
    file: ['image/png'],
    probe: { params: { id: 'wecom_store_code' } },
    handler: async (req, reply) => {
      const code = await req.tx((tx) => getStoreCode(tx, req.principal, req.params.id), { readOnly: true });
      const png = await QRCode.toBuffer(code.landingUrl, {
        width: 480,
        margin: 2,
        errorCorrectionLevel: 'M',
      });
      return reply
        .header('content-type', 'image/png')
        .header('cache-control', 'private, max-age=300')
        .send(png);
    },
  }),
];

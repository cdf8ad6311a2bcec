import {
  BulkIssue,
  BulkIssueInput,
  COUPONS_PERMISSIONS,
  Coupon,
  CouponList,
  CouponsQuery,
  CouponTemplate,
  CouponTemplateInput,
  CouponTemplateList,
  CouponTemplatePatch,
  CouponTemplateStats,
  IssueInput,
  LookupQuery,
  RedeemInput,
  ReverseInput,
} from '@kehu/contracts/coupons';
import { z } from 'zod';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { getBulkIssue, startBulkIssue } from './bulk-issue.ts';
import { issueCoupon } from './issue.service.ts';
import {
  getCoupon,
  listCoupons,
  lookupCoupon,
  redeemCoupon,
  reverseRedemption,
  voidVisibleCoupon,
} from './redeem.service.ts';
import { templateViewer } from './template-access.ts';
import {
  createTemplate,
  getTemplate,
  listTemplates,
  loadVisibleTemplate,
  templateStats,
  updateTemplate,
} from './templates.service.ts';

const P = COUPONS_PERMISSIONS;
const tags = ['coupons'];
const probeTemplate = { params: { id: 'coupon_template' } };
const probeCoupon = { params: { id: 'coupon' } };

export const couponRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/coupon-templates',
    permission: P.read,
    summary: 'Coupon templates of the caller’s units, the units above and below',
    tags,
    response: CouponTemplateList,
    handler: (req) => req.tx((tx) => listTemplates(tx, req.principal), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/coupon-templates',
    permission: P.manage,
    summary: 'Add a coupon template (满减, 折扣, 兑换, 到店礼)',
    tags,
    body: CouponTemplateInput,
    response: CouponTemplate,
    status: 201,
    handler: (req) => req.tx((tx) => createTemplate(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/coupon-templates/:id',
    permission: P.read,
    summary: 'One coupon template',
    tags,
    params: idParam,
    response: CouponTemplate,
    probe: probeTemplate,
    handler: (req) => req.tx((tx) => getTemplate(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/coupon-templates/:id',
    permission: P.manage,
    summary: 'Change a template: name, stock, limits, end date, pause',
    tags,
    params: idParam,
    body: CouponTemplatePatch,
    response: CouponTemplate,
    probe: probeTemplate,
    handler: (req) =>
      req.tx((tx) => updateTemplate(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/coupon-templates/:id/stats',
    permission: P.manage,
    summary: 'Issued, redeemed, redemption rate, discount and order value; 30 days by day',
    tags,
    params: idParam,
    response: CouponTemplateStats,
    probe: probeTemplate,
    handler: (req) =>
      req.tx((tx) => templateStats(tx, req.principal, req.locale, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/coupon-templates/:id/issue',
    permission: P.issue,
    summary: 'Issue one coupon to a CDP profile (idempotent on the key)',
    tags,
    params: idParam,
    body: IssueInput,
    response: z.object({ couponId: z.string(), code: z.string(), expiresAt: z.string().nullable() }),
    status: 201,
    probe: { ...probeTemplate, body: { profileId: 'cdp_profile' } },
    handler: (req) =>
      req.tx(async (tx) => {
        await loadVisibleTemplate(tx, await templateViewer(tx, req.principal), req.params.id);
        return issueCoupon(
          tx,
          req.principal.tenantId,
          {
            templateId: req.params.id,
            profileId: req.body.profileId,
            idempotencyKey: req.body.idempotencyKey,
            source: { kind: 'api', id: req.principal.userId },
          },
          req.locale,
        );
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/coupon-templates/:id/bulk-issues',
    permission: P.issue,
    summary: 'Issue the template to every member of a profile segment (a job; poll its progress)',
    tags,
    params: idParam,
    body: BulkIssueInput,
    response: BulkIssue,
    status: 202,
    probe: { ...probeTemplate, body: { segmentId: 'cdp_segment' } },
    handler: (req) =>
      req.tx((tx) =>
        startBulkIssue(tx, req.principal, req.actor, req.locale, req.params.id, req.body.segmentId),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/coupon-bulk-issues/:id',
    permission: P.issue,
    summary: 'Progress of a bulk issue',
    tags,
    params: idParam,
    response: BulkIssue,
    probe: { params: { id: 'coupon_bulk_issue' } },
    handler: (req) => req.tx((tx) => getBulkIssue(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/coupons',
    permission: P.manage,
    summary: 'Coupons of the templates the caller manages, by template, profile or status',
    tags,
    query: CouponsQuery,
    response: CouponList,
    handler: (req) =>
      req.tx((tx) => listCoupons(tx, req.principal, req.locale, req.query), { readOnly: true }),
  }),
  defineRoute({
    method: 'GET',
    url: '/coupons/lookup',
    permission: P.redeem,
    summary: 'What a typed or scanned code is, before redeeming it',
    tags,
    query: LookupQuery,
    response: Coupon,
    probe: { query: { code: 'coupon.code' } },
    handler: (req) =>
      req.tx((tx) => lookupCoupon(tx, req.principal, req.locale, req.query.code), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/coupons/redeem',
    permission: P.redeem,
    summary: 'Redeem a code once (409 when it was already redeemed, expired or voided)',
    tags,
    body: RedeemInput,
    response: Coupon,
    probe: { body: { code: 'coupon.code' } },
    handler: (req) => req.tx((tx) => redeemCoupon(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/coupons/:id',
    permission: P.redeem,
    summary: 'One coupon',
    tags,
    params: idParam,
    response: Coupon,
    probe: probeCoupon,
    handler: (req) =>
      req.tx((tx) => getCoupon(tx, req.principal, req.locale, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/coupons/:id/reverse',
    permission: P.redeem,
    summary: 'Reverse a redemption (refund): the coupon returns if its template says so, else it is voided',
    tags,
    params: idParam,
    body: ReverseInput,
    response: Coupon,
    probe: probeCoupon,
    handler: (req) =>
      req.tx((tx) =>
        reverseRedemption(
          tx,
          req.principal,
          req.actor,
          req.locale,
          req.params.id,
          req.body.reason ?? 'refund',
        ),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/coupons/:id/void',
    permission: P.manage,
    summary: 'Void an unused coupon (again: no change; a redeemed coupon: 409)',
    tags,
    params: idParam,
    body: z.object({}).strict().optional(),
    response: Coupon,
    probe: probeCoupon,
    handler: (req) =>
      req.tx((tx) => voidVisibleCoupon(tx, req.principal, req.actor, req.locale, req.params.id)),
  }),
];

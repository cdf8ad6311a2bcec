import {
  APPROVALS_PERMISSIONS,
  ApprovalHistory,
  ApprovalHistoryQuery,
  ApprovalInbox,
  ApprovalInboxQuery,
  ApprovalRequest,
  DecisionBody,
  Flow,
  FlowInput,
  Flows,
} from '@kehu/contracts/approvals';
import { can } from '../../core/auth/principal.ts';
import { notFound } from '../../core/errors.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { getRecord, recordCtx } from '../../engine/records/record.service.ts';
import {
  type ApprovalAction,
  act,
  getRequest,
  historyFor,
  inbox,
  listFlows,
  saveFlow,
} from './approval.service.ts';

const decide = (action: ApprovalAction, summary: string) =>
  defineRoute({
    method: 'POST',
    url: `/approvals/:id/${action}`,
    permission: action === 'withdraw' ? APPROVALS_PERMISSIONS.read : APPROVALS_PERMISSIONS.update,
    probe: { params: { id: 'approval' } },
    summary,
    tags: ['approvals'],
    params: idParam,
    body: DecisionBody,
    response: ApprovalRequest,
    handler: (req) =>
      req.tx((tx) => act(tx, req.principal, req.actor, req.params.id, action, req.body.comment, req.locale)),
  });

export const approvalRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/approvals',
    permission: APPROVALS_PERMISSIONS.read,
    summary: 'Approval inbox: pending for me, requested by me, decided by me',
    tags: ['approvals'],
    query: ApprovalInboxQuery,
    response: ApprovalInbox,
    handler: (req) => req.tx((tx) => inbox(tx, req.principal, req.query.box, req.query.limit)),
  }),
  defineRoute({
    method: 'GET',
    url: '/approvals/history',
    permission: APPROVALS_PERMISSIONS.read,
    summary: "A record's approval requests with their full history",
    tags: ['approvals'],
    query: ApprovalHistoryQuery,
    response: ApprovalHistory,
    probe: { query: { object: '=quote', recordId: 'approval.quote' } },
    handler: (req) =>
      req.tx(async (tx) => {
        if (!can(req.principal, `${req.query.object}:read`)) throw notFound(req.query.object);
        const ctx = await recordCtx(tx, req.principal, req.actor, req.query.object);
        await getRecord(ctx, req.query.recordId);
        return { items: await historyFor(tx, req.principal, req.query.object, req.query.recordId) };
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/approvals/:id',
    permission: APPROVALS_PERMISSIONS.read,
    probe: { params: { id: 'approval' } },
    summary: 'One approval request with steps, approvers and history',
    tags: ['approvals'],
    params: idParam,
    response: ApprovalRequest,
    handler: (req) => req.tx((tx) => getRequest(tx, req.principal, req.params.id)),
  }),
  decide('approve', 'Approve the current step'),
  decide('reject', 'Reject (final; comment required)'),
  decide('return', 'Return to the requester for changes (comment required)'),
  decide('withdraw', 'Withdraw my own pending request'),
  defineRoute({
    method: 'GET',
    url: '/approval-flows',
    permission: APPROVALS_PERMISSIONS.read,
    summary: 'Approval flows (object, condition, steps)',
    tags: ['approvals'],
    response: Flows,
    handler: (req) => req.tx(async (tx) => ({ items: await listFlows(tx, req.principal.tenantId) })),
  }),
  defineRoute({
    method: 'POST',
    url: '/approval-flows',
    permission: APPROVALS_PERMISSIONS.configureFlows,
    summary: 'Create an approval flow',
    tags: ['approvals'],
    body: FlowInput,
    response: Flow,
    status: 201,
    handler: (req) =>
      req.tx((tx) => saveFlow(tx, req.actor, req.principal.tenantId, null, req.body as any, req.locale)),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/approval-flows/:id',
    permission: APPROVALS_PERMISSIONS.configureFlows,
    summary: 'Change an approval flow',
    tags: ['approvals'],
    params: idParam,
    body: FlowInput,
    response: Flow,
    probe: { params: { id: 'approval_flow' }, body: { object: '=quote' } },
    handler: (req) =>
      req.tx((tx) =>
        saveFlow(tx, req.actor, req.principal.tenantId, req.params.id, req.body as any, req.locale),
      ),
  }),
];

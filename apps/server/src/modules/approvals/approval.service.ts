import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import { dataScopeFor, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { notFound } from '../../core/errors.ts';
import { kickDispatcher } from '../../core/events/dispatcher.ts';
import { emitEvents } from '../../core/events/outbox.ts';
import type { Label, Locale } from '../../core/i18n/locale.ts';
import { isUuid, newId } from '../../core/ids.ts';
import { notify } from '../notifications/index.ts';
import {
  approvalTarget,
  type Condition,
  conditionHolds,
  type Decision,
  type FlowDef,
  type StepDef,
} from './approval-targets.ts';
import { approvalProblem } from './approvals.messages.ts';

export interface Flow extends FlowDef {
  id: string;
  object: string;
  isActive: boolean;
  priority: number;
  version: number;
}

interface FlowRow {
  id: string;
  object: string;
  name: Label;
  condition: Condition | null;
  steps: StepDef[];
  priority: number;
  is_active: boolean;
  version: number;
}

const toFlow = (r: FlowRow): Flow => ({
  id: r.id,
  object: r.object,
  name: r.name,
  condition: r.condition,
  steps: r.steps,
  priority: r.priority,
  isActive: r.is_active,
  version: r.version,
});

/** Flows of one object (the owning module's defaults are created on first use). */
export async function listFlows(tx: Tx, tenantId: string, object?: string): Promise<Flow[]> {
  const objects = object ? [object] : ['quote'];
  for (const o of objects) {
    const t = approvalTarget(o);
    if (!t) continue;
    const n = (
      await sql<{
        n: number;
      }>`select count(*)::int as n from approval_flows where tenant_id = ${tenantId} and object = ${o}`.execute(
        tx,
      )
    ).rows[0]!.n;
    if (n === 0)
      for (const f of t.defaultFlows)
        await sql`insert into approval_flows (tenant_id, id, object, name, condition, steps, priority)
          values (${tenantId}, ${newId()}, ${o}, ${JSON.stringify(f.name)}::jsonb, ${JSON.stringify(f.condition)}::jsonb,
            ${JSON.stringify(f.steps)}::jsonb, ${f.priority ?? 100})`.execute(tx);
  }
  const rows = (
    await sql<FlowRow>`select id, object, name, condition, steps, priority, is_active, version from approval_flows
      where tenant_id = ${tenantId} and (${object ?? null}::text is null or object = ${object ?? null}) order by object, priority, created_at`.execute(
      tx,
    )
  ).rows;
  return rows.map(toFlow);
}

export async function saveFlow(
  tx: Tx,
  actor: Actor,
  tenantId: string,
  id: string | null,
  input: FlowDef & { object: string; isActive?: boolean; version?: number },
  locale: Locale,
): Promise<Flow> {
  if (id) {
    const cur = (await listFlows(tx, tenantId, input.object)).find((f) => f.id === id);
    if (!cur) throw notFound('approval_flow');
    if (input.version !== undefined && input.version !== cur.version)
      throw approvalProblem('conflict', locale, 'conflict.version', { current: cur.version });
    await sql`update approval_flows set name = ${JSON.stringify(input.name)}::jsonb, condition = ${JSON.stringify(input.condition)}::jsonb,
      steps = ${JSON.stringify(input.steps)}::jsonb, priority = ${input.priority ?? cur.priority}, is_active = ${input.isActive ?? cur.isActive},
      version = version + 1, updated_at = now() where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
  } else {
    await listFlows(tx, tenantId, input.object);
    id = newId();
    await sql`insert into approval_flows (tenant_id, id, object, name, condition, steps, priority, is_active)
      values (${tenantId}, ${id}, ${input.object}, ${JSON.stringify(input.name)}::jsonb, ${JSON.stringify(input.condition)}::jsonb,
        ${JSON.stringify(input.steps)}::jsonb, ${input.priority ?? 100}, ${input.isActive ?? true})`.execute(
      tx,
    );
  }
  await writeAudit(tx, actor, {
    action: 'approval_flow_save',
    object: 'approval_flow',
    recordId: id,
    meta: { object: input.object },
  });
  return (await listFlows(tx, tenantId, input.object)).find((f) => f.id === id)!;
}

interface StepState extends StepDef {
  approverIds: string[];
  skipped?: boolean;
}

async function requesterUnitPath(tx: Tx, tenantId: string, unitId: string): Promise<string> {
  return (
    (
      await sql<{
        path: string;
      }>`select path from units where tenant_id = ${tenantId} and id = ${unitId}`.execute(tx)
    ).rows[0]?.path ?? ''
  );
}

/**
 * Who approves a step. `unit_manager`: the users holding an approval permission in the
 * requester's unit, else the nearest unit above that has one; `role`: everyone with the role.
 * A step nobody can approve falls to the tenant's administrators rather than blocking forever.
 */
async function resolveApprovers(
  tx: Tx,
  tenantId: string,
  step: StepDef,
  requesterId: string,
  unitId: string,
): Promise<string[]> {
  let ids: string[] = [];
  if (step.approverType === 'unit_manager') {
    const path = await requesterUnitPath(tx, tenantId, unitId);
    const rows = (
      await sql<{ id: string; depth: number }>`
        select u.id, un.depth from users u join units un on un.tenant_id = u.tenant_id and un.id = u.unit_id
        where u.tenant_id = ${tenantId} and u.status = 'active' and u.id <> ${requesterId}
          and ${path} like un.path || '%'
          and exists (select 1 from user_roles ur join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id
            where ur.tenant_id = u.tenant_id and ur.user_id = u.id and r.permissions && array['approval:*', 'approval:update']::text[])
        order by un.depth desc`.execute(tx)
    ).rows;
    const top = rows[0]?.depth;
    ids = rows.filter((r) => r.depth === top).map((r) => r.id);
  } else if (step.role) {
    ids = (
      await sql<{
        id: string;
      }>`select u.id from users u join user_roles ur on ur.tenant_id = u.tenant_id and ur.user_id = u.id
        join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id
        where u.tenant_id = ${tenantId} and u.status = 'active' and r.name = ${step.role} order by u.id`.execute(
        tx,
      )
    ).rows.map((r) => r.id);
  }
  if (ids.length === 0)
    ids = (
      await sql<{
        id: string;
      }>`select u.id from users u join user_roles ur on ur.tenant_id = u.tenant_id and ur.user_id = u.id
        join roles r on r.tenant_id = ur.tenant_id and r.id = ur.role_id
        where u.tenant_id = ${tenantId} and u.status = 'active' and r.permissions && array['*']::text[] order by u.id`.execute(
        tx,
      )
    ).rows.map((r) => r.id);
  return [...new Set(ids)];
}

export interface SubmitInput {
  object: string;
  recordId: string;
  recordName: string;
  /** Values the flow and step conditions test (e.g. discountPercent). */
  facts: Record<string, unknown>;
  /** Shown in the inbox without opening the record. */
  summary: Record<string, unknown>;
  unitId: string;
}

/** Starts the first matching flow; returns null when no flow applies (no approval needed). */
export async function submitForApproval(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  input: SubmitInput,
  locale: Locale,
): Promise<ApprovalRequest | null> {
  const tenantId = principal.tenantId;
  const pending = (
    await sql<{
      id: string;
    }>`select id from approval_requests where tenant_id = ${tenantId} and object = ${input.object}
      and record_id = ${input.recordId} and status = 'pending'`.execute(tx)
  ).rows[0];
  if (pending) throw approvalProblem('conflict', locale, 'approval_already_pending');
  const flow = (await listFlows(tx, tenantId, input.object)).find(
    (f) => f.isActive && conditionHolds(f.condition, input.facts),
  );
  if (!flow) return null;
  const steps: StepState[] = flow.steps
    .filter((s) => conditionHolds(s.condition, input.facts))
    .map((s) => ({ ...s, approverIds: [] }));
  if (steps.length === 0) return null;
  steps[0]!.approverIds = await resolveApprovers(tx, tenantId, steps[0]!, principal.userId, input.unitId);
  const id = newId();
  await sql`insert into approval_requests (tenant_id, id, flow_id, object, record_id, record_name, summary, requester_id,
      requester_unit_id, status, current_step, steps)
    values (${tenantId}, ${id}, ${flow.id}, ${input.object}, ${input.recordId}, ${input.recordName}, ${JSON.stringify(input.summary)}::jsonb,
      ${principal.userId}, ${input.unitId}, 'pending', 0, ${JSON.stringify(steps)}::jsonb)`.execute(tx);
  await recordAction(tx, tenantId, id, 0, principal.userId, 'submit', null);
  await writeAudit(tx, actor, {
    action: 'approval_submit',
    object: input.object,
    recordId: input.recordId,
    meta: { requestId: id, flowId: flow.id, facts: input.facts },
  });
  await notifyApprovers(
    tx,
    tenantId,
    id,
    input.object,
    input.recordName,
    steps[0]!.approverIds,
    principal.userName,
  );
  await emitEvents(tx, tenantId, [
    {
      type: 'approval.requested',
      object: 'approval',
      recordId: id,
      payload: {
        requestId: id,
        object: input.object,
        recordId: input.recordId,
        step: 0,
        approverIds: steps[0]!.approverIds,
        requesterId: principal.userId,
      },
    },
  ]);
  kickDispatcher();
  return getRequest(tx, principal, id);
}

const OBJECT_LABEL: Record<string, Label> = {
  quote: { 'zh-CN': '报价单', 'en-US': 'quote' },
};
const objLabel = (o: string): Label => OBJECT_LABEL[o] ?? { 'zh-CN': o, 'en-US': o };

/** In-app notification (and tenant webhooks) for the approvers of the step now waiting. */
async function notifyApprovers(
  tx: Tx,
  tenantId: string,
  requestId: string,
  object: string,
  name: string,
  userIds: string[],
  requester: string | null,
) {
  const o = objLabel(object);
  await notify(tx, tenantId, {
    userIds,
    kind: 'approval.requested',
    title: {
      'zh-CN': `待审批：${o['zh-CN']}「${name}」`,
      'en-US': `Approval needed: ${o['en-US']} “${name}”`,
    },
    body: requester
      ? { 'zh-CN': `${requester} 提交了审批申请`, 'en-US': `Requested by ${requester}` }
      : undefined,
    link: `/sales/approvals?open=${requestId}`,
    object: 'approval',
    recordId: requestId,
  });
}

const DECISION_TEXT: Record<string, Label> = {
  approved: { 'zh-CN': '已通过', 'en-US': 'approved' },
  rejected: { 'zh-CN': '已驳回', 'en-US': 'rejected' },
  returned: { 'zh-CN': '已退回修改', 'en-US': 'returned for changes' },
};

async function recordAction(
  tx: Tx,
  tenantId: string,
  requestId: string,
  step: number,
  actorId: string,
  action: string,
  comment: string | null,
) {
  await sql`insert into approval_actions (tenant_id, id, request_id, step, actor_id, action, comment)
    values (${tenantId}, ${newId()}, ${requestId}, ${step}, ${actorId}, ${action}, ${comment})`.execute(tx);
}

export interface ApprovalRequest {
  id: string;
  object: string;
  recordId: string;
  recordName: string | null;
  summary: Record<string, unknown>;
  requester: { id: string; name: string | null };
  status: string;
  currentStep: number;
  steps: (StepState & { approvers: { id: string; name: string }[] })[];
  createdAt: string;
  decidedAt: string | null;
  canAct: boolean;
  history: {
    step: number;
    action: string;
    comment: string | null;
    at: string;
    actor: { id: string | null; name: string | null };
  }[];
}

interface RequestRow {
  id: string;
  object: string;
  record_id: string;
  record_name: string | null;
  summary: Record<string, unknown>;
  requester_id: string;
  requester_name: string | null;
  requester_unit_id: string;
  status: string;
  current_step: number;
  steps: StepState[];
  created_at: Date;
  decided_at: Date | null;
}

/** Requester, any approver, or someone whose approval scope covers the requester's unit may see a request. */
function visible(p: Principal, r: RequestRow): boolean {
  if (r.requester_id === p.userId) return true;
  if (r.steps.some((s) => s.approverIds.includes(p.userId))) return true;
  const scope = dataScopeFor(p, 'approval');
  if (scope === 'tenant') return true;
  if (scope === 'unit_tree') return p.subtreeUnitIds.includes(r.requester_unit_id);
  if (scope === 'unit') return p.unitId === r.requester_unit_id;
  return false;
}

async function loadRow(tx: Tx, tenantId: string, id: string, lock = false): Promise<RequestRow | null> {
  if (!isUuid(id)) return null;
  return (
    (
      await sql<RequestRow>`select a.*, u.name as requester_name from approval_requests a
        left join users u on u.tenant_id = a.tenant_id and u.id = a.requester_id
        where a.tenant_id = ${tenantId} and a.id = ${id} ${lock ? sql`for update of a` : sql``}`.execute(tx)
    ).rows[0] ?? null
  );
}

export async function getRequest(tx: Tx, principal: Principal, id: string): Promise<ApprovalRequest> {
  const row = await loadRow(tx, principal.tenantId, id);
  if (!row || !visible(principal, row)) throw notFound('approval');
  return present(tx, principal, row);
}

async function present(
  tx: Tx,
  principal: Principal,
  row: RequestRow,
  withHistory = true,
): Promise<ApprovalRequest> {
  const ids = [...new Set(row.steps.flatMap((s) => s.approverIds))];
  const names = new Map(
    ids.length
      ? (
          await sql<{
            id: string;
            name: string;
          }>`select id, name from users where tenant_id = ${principal.tenantId} and id = any(${ids}::uuid[])`.execute(
            tx,
          )
        ).rows.map((r) => [r.id, r.name])
      : [],
  );
  const history = withHistory
    ? (
        await sql<{
          step: number;
          action: string;
          comment: string | null;
          at: Date;
          actor_id: string | null;
          actor_name: string | null;
        }>`
          select a.step, a.action, a.comment, a.at, a.actor_id, u.name as actor_name from approval_actions a
          left join users u on u.tenant_id = a.tenant_id and u.id = a.actor_id
          where a.tenant_id = ${principal.tenantId} and a.request_id = ${row.id} order by a.at, a.id`.execute(
          tx,
        )
      ).rows.map((h) => ({
        step: h.step,
        action: h.action,
        comment: h.comment,
        at: new Date(h.at).toISOString(),
        actor: { id: h.actor_id, name: h.actor_name },
      }))
    : [];
  return {
    id: row.id,
    object: row.object,
    recordId: row.record_id,
    recordName: row.record_name,
    summary: row.summary,
    requester: { id: row.requester_id, name: row.requester_name },
    status: row.status,
    currentStep: row.current_step,
    steps: row.steps.map((s) => ({
      ...s,
      approvers: s.approverIds.map((i) => ({ id: i, name: names.get(i) ?? '' })),
    })),
    createdAt: new Date(row.created_at).toISOString(),
    decidedAt: row.decided_at ? new Date(row.decided_at).toISOString() : null,
    canAct:
      row.status === 'pending' && (row.steps[row.current_step]?.approverIds ?? []).includes(principal.userId),
    history,
  };
}

export type ApprovalAction = 'approve' | 'reject' | 'return' | 'withdraw';

/**
 * One decision on the current step. Approve advances to the next step (resolving its
 * approvers now, so a change of manager mid-flow is respected) or finishes; reject ends the
 * flow for good; return sends the record back to the requester for changes.
 */
export async function act(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  id: string,
  action: ApprovalAction,
  comment: string | undefined,
  locale: Locale,
): Promise<ApprovalRequest> {
  const tenantId = principal.tenantId;
  const row = await loadRow(tx, tenantId, id, true);
  if (!row || !visible(principal, row)) throw notFound('approval');
  if (row.status !== 'pending') throw approvalProblem('conflict', locale, 'approval_not_pending');
  const step = row.steps[row.current_step]!;
  if (action === 'withdraw') {
    if (row.requester_id !== principal.userId)
      throw approvalProblem('forbidden', locale, 'approval_not_approver');
  } else if (!step.approverIds.includes(principal.userId))
    throw approvalProblem('forbidden', locale, 'approval_not_approver');
  if ((action === 'reject' || action === 'return') && !comment?.trim())
    throw approvalProblem('validation', locale, 'approval_comment_required', {}, [
      { field: 'comment', code: 'required' },
    ]);
  await recordAction(
    tx,
    tenantId,
    row.id,
    row.current_step,
    principal.userId,
    action,
    comment?.trim() || null,
  );
  let decision: Decision | null = null;
  let status = row.status;
  let current = row.current_step;
  const events: { type: string; payload: Record<string, unknown> }[] = [];
  if (action === 'approve' && row.current_step + 1 < row.steps.length) {
    current = row.current_step + 1;
    row.steps[current]!.approverIds = await resolveApprovers(
      tx,
      tenantId,
      row.steps[current]!,
      row.requester_id,
      row.requester_unit_id,
    );
    events.push({
      type: 'approval.step_approved',
      payload: { step: row.current_step, by: principal.userId },
    });
    events.push({
      type: 'approval.requested',
      payload: { step: current, approverIds: row.steps[current]!.approverIds },
    });
  } else {
    status =
      action === 'approve'
        ? 'approved'
        : action === 'reject'
          ? 'rejected'
          : action === 'return'
            ? 'returned'
            : 'withdrawn';
    decision = status as Decision;
    events.push({
      type: `approval.${status}`,
      payload: { by: principal.userId, comment: comment ?? null, requesterId: row.requester_id },
    });
  }
  await sql`update approval_requests set status = ${status}, current_step = ${current}, steps = ${JSON.stringify(row.steps)}::jsonb,
      decided_at = ${decision ? sql`now()` : sql`null`} where tenant_id = ${tenantId} and id = ${row.id}`.execute(
    tx,
  );
  await writeAudit(tx, actor, {
    action: `approval_${action}`,
    object: row.object,
    recordId: row.record_id,
    meta: { requestId: row.id, step: row.current_step, comment: comment ?? null },
  });
  // The request is no longer pending here, so the record's lock is released before the owner reacts.
  if (decision) await approvalTarget(row.object)?.onDecision(tx, principal, actor, row.record_id, decision);
  const name = row.record_name ?? '';
  if (decision && DECISION_TEXT[decision]) {
    const o = objLabel(row.object);
    const d = DECISION_TEXT[decision]!;
    await notify(tx, tenantId, {
      userIds: [row.requester_id],
      kind: `approval.${decision}`,
      title: {
        'zh-CN': `${o['zh-CN']}「${name}」${d['zh-CN']}`,
        'en-US': `Your ${o['en-US']} “${name}” was ${d['en-US']}`,
      },
      body: comment
        ? { 'zh-CN': `${principal.userName}：${comment}`, 'en-US': `${principal.userName}: ${comment}` }
        : undefined,
      link: `/o/${row.object}/${row.record_id}`,
      object: row.object,
      recordId: row.record_id,
    });
  } else if (!decision)
    await notifyApprovers(
      tx,
      tenantId,
      row.id,
      row.object,
      name,
      row.steps[current]!.approverIds,
      row.requester_name,
    );
  await emitEvents(
    tx,
    tenantId,
    events.map((e) => ({
      type: e.type,
      object: 'approval',
      recordId: row.id,
      payload: { requestId: row.id, object: row.object, recordId: row.record_id, ...e.payload },
    })),
  );
  kickDispatcher();
  return getRequest(tx, principal, row.id);
}

export type Box = 'pending' | 'mine' | 'done' | 'all';

export async function inbox(
  tx: Tx,
  principal: Principal,
  box: Box,
  limit = 50,
): Promise<{ items: ApprovalRequest[]; counts: Record<string, number> }> {
  const t = principal.tenantId;
  const me = principal.userId;
  const where =
    box === 'pending'
      ? sql`a.status = 'pending' and (a.steps -> a.current_step -> 'approverIds') ? ${me}`
      : box === 'mine'
        ? sql`a.requester_id = ${me}`
        : box === 'done'
          ? sql`exists (select 1 from approval_actions x where x.tenant_id = a.tenant_id and x.request_id = a.id and x.actor_id = ${me} and x.action <> 'submit')`
          : sql`true`;
  const rows = (
    await sql<RequestRow>`select a.*, u.name as requester_name from approval_requests a
      left join users u on u.tenant_id = a.tenant_id and u.id = a.requester_id
      where a.tenant_id = ${t} and ${where} order by a.created_at desc limit ${box === 'all' ? 500 : limit}`.execute(
      tx,
    )
  ).rows.filter((r) => visible(principal, r));
  const counts = (
    await sql<{ n: number }>`select count(*)::int as n from approval_requests a
      where a.tenant_id = ${t} and a.status = 'pending' and (a.steps -> a.current_step -> 'approverIds') ? ${me}`.execute(
      tx,
    )
  ).rows[0]!;
  const items: ApprovalRequest[] = [];
  for (const r of rows.slice(0, limit)) items.push(await present(tx, principal, r, false));
  return { items, counts: { pending: counts.n } };
}

/** The open request of a record, if any (the record is locked while it exists). */
export async function pendingFor(
  tx: Tx,
  tenantId: string,
  object: string,
  recordId: string,
): Promise<string | null> {
  return (
    (
      await sql<{
        id: string;
      }>`select id from approval_requests where tenant_id = ${tenantId} and object = ${object}
        and record_id = ${recordId} and status = 'pending'`.execute(tx)
    ).rows[0]?.id ?? null
  );
}

export async function historyFor(
  tx: Tx,
  principal: Principal,
  object: string,
  recordId: string,
): Promise<ApprovalRequest[]> {
  const rows = (
    await sql<RequestRow>`select a.*, u.name as requester_name from approval_requests a
      left join users u on u.tenant_id = a.tenant_id and u.id = a.requester_id
      where a.tenant_id = ${principal.tenantId} and a.object = ${object} and a.record_id = ${recordId} order by a.created_at desc`.execute(
      tx,
    )
  ).rows;
  const out: ApprovalRequest[] = [];
  for (const r of rows) out.push(await present(tx, principal, r));
  return out;
}

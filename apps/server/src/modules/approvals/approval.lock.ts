import { sql } from 'kysely';
import type { ObjectHooks } from '../../engine/records/object-hooks.ts';
import type { RecordCtx } from '../../engine/records/record.service.ts';
import { rawValue } from '../../engine/records/record-mapper.ts';
import { pendingFor } from './approval.service.ts';
import { approvalProblem, at } from './approvals.messages.ts';

/** 422 while the record has a pending approval request: what the approver sees is what gets approved. */
export async function assertUnlocked(ctx: RecordCtx, recordId: string): Promise<void> {
  if (await pendingFor(ctx.tx, ctx.principal.tenantId, ctx.obj.apiName, recordId))
    throw approvalProblem('validation', ctx.principal.locale, 'record_locked', {
      what: ctx.obj.label[ctx.principal.locale],
    });
}

export const approvalLockHooks: ObjectHooks = {
  async beforeWrite(ctx, items, op) {
    if (op !== 'update') return;
    // A status-only write is the owning module reacting to the approval itself (status is read-only over the API).
    for (const it of items)
      if (it.existing && Object.keys(it.values).some((k) => k !== 'status'))
        await assertUnlocked(ctx, it.existing.id);
  },
  // Deleting a record under approval would leave approvers deciding on something gone (409).
  async beforeDelete(ctx, items) {
    const { locale, tenantId } = ctx.principal;
    const pending = (
      await sql<{
        id: string;
        record_id: string;
        flow_name: Record<string, string> | null;
        requester: string | null;
      }>`
        select a.id, a.record_id, f.name as flow_name, u.name as requester from approval_requests a
        left join approval_flows f on f.tenant_id = a.tenant_id and f.id = a.flow_id
        left join users u on u.tenant_id = a.tenant_id and u.id = a.requester_id
        where a.tenant_id = ${tenantId} and a.object = ${ctx.obj.apiName} and a.status = 'pending'
          and a.record_id = any(${items.map((i) => i.id)}::uuid[])`.execute(ctx.tx)
    ).rows;
    const byRecord = new Map(pending.map((p) => [p.record_id, p]));
    const nameField = ctx.obj.fields.find((f) => f.apiName === ctx.obj.nameField);
    for (const it of items) {
      const p = byRecord.get(it.id);
      if (!p) continue;
      const params = {
        what: ctx.obj.label[locale],
        name: String((nameField && rawValue(ctx.obj, nameField, it.existing)) ?? ''),
        approval: p.flow_name?.[locale] ?? p.flow_name?.['zh-CN'] ?? p.id,
        requester: p.requester ?? '—',
      };
      it.errors.push({
        field: 'id',
        code: 'approval_pending',
        params: { approvalId: p.id, approval: params.approval },
        message: at(locale, 'delete_locked', params),
      });
    }
  },
};

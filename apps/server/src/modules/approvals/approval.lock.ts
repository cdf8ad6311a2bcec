import type { ObjectHooks } from '../../records/object-hooks.ts';
import type { RecordCtx } from '../../records/record.service.ts';
import { salesProblem } from '../sales/sales.messages.ts';
import { pendingFor } from './approval.service.ts';

/** 422 while the record has a pending approval request: what the approver sees is what gets approved. */
export async function assertUnlocked(ctx: RecordCtx, recordId: string): Promise<void> {
  if (await pendingFor(ctx.tx, ctx.principal.tenantId, ctx.obj.apiName, recordId))
    throw salesProblem('validation', ctx.principal.locale, 'record_locked', {
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
};

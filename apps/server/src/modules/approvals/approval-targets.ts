import type { Actor } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Label } from '../../core/i18n/locale.ts';

export type Decision = 'submitted' | 'approved' | 'rejected' | 'returned' | 'withdrawn';

export interface Condition {
  field: string;
  op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'ne';
  value: number | string;
}

export interface StepDef {
  name: Label;
  approverType: 'role' | 'unit_manager';
  /** Role name for `role` steps. */
  role?: string | null;
  /** A step runs only when its own condition holds (e.g. the second level above 25 %). */
  condition?: Condition | null;
}

export interface FlowDef {
  name: Label;
  condition: Condition | null;
  steps: StepDef[];
  priority?: number;
}

/**
 * An object that can go through approval registers how its owning module reacts to each
 * decision (a quote becomes approved, rejected or back to draft). The approvals module knows
 * nothing of quotes; the quote module knows nothing of steps.
 */
export interface ApprovalTarget {
  object: string;
  defaultFlows: FlowDef[];
  onDecision(tx: Tx, principal: Principal, actor: Actor, recordId: string, decision: Decision): Promise<void>;
}

const targets = new Map<string, ApprovalTarget>();
export const registerApprovalTarget = (t: ApprovalTarget) => targets.set(t.object, t);
export const approvalTarget = (object: string) => targets.get(object);
export const approvalObjects = () => [...targets.keys()];

export function conditionHolds(c: Condition | null | undefined, facts: Record<string, unknown>): boolean {
  if (!c) return true;
  const v = facts[c.field];
  if (v === undefined || v === null) return false;
  const a = typeof c.value === 'number' ? Number(v) : String(v);
  const b = c.value;
  switch (c.op) {
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
  }
}

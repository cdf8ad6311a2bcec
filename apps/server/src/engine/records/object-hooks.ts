import type { FieldError } from '../../core/errors.ts';
import type { RecordCtx } from './record.service.ts';
import type { Row } from './record-mapper.ts';

export type WriteOp = 'create' | 'update';

export interface WriteItem {
  index: number;
  /** Normalised values being written; a hook may add or change entries. */
  values: Record<string, unknown>;
  errors: FieldError[];
  /** The row before an update; null on create. */
  existing: Row | null;
}

/** A live, in-scope row about to be soft-deleted (locked for the rest of the transaction). */
export interface DeleteItem {
  index: number;
  id: string;
  existing: Row;
  /**
   * A hook refuses one row by pushing an error (a pre-localised `message` becomes the 409
   * detail); the other rows of a non-atomic bulk delete go ahead.
   */
  errors: FieldError[];
}

export interface WrittenItem {
  index: number;
  id: string;
  values: Record<string, unknown>;
  existing: Row | null;
}

/**
 * Domain behaviour on top of the generic engine (lead dedupe and scoring, stage rules …),
 * run inside the write's transaction so a rejected rule leaves nothing behind.
 */
export interface ObjectHooks {
  beforeWrite?(ctx: RecordCtx, items: WriteItem[], op: WriteOp): Promise<void>;
  afterWrite?(ctx: RecordCtx, items: WrittenItem[], op: WriteOp): Promise<void>;
  beforeDelete?(ctx: RecordCtx, items: DeleteItem[]): Promise<void>;
}

const hooks = new Map<string, ObjectHooks[]>();

export function registerObjectHooks(object: string, h: ObjectHooks): void {
  hooks.set(object, [...(hooks.get(object) ?? []), h]);
}

export async function runBeforeWrite(ctx: RecordCtx, items: WriteItem[], op: WriteOp): Promise<void> {
  for (const h of hooks.get(ctx.obj.apiName) ?? []) if (items.length) await h.beforeWrite?.(ctx, items, op);
}

export async function runAfterWrite(ctx: RecordCtx, items: WrittenItem[], op: WriteOp): Promise<void> {
  for (const h of hooks.get(ctx.obj.apiName) ?? []) if (items.length) await h.afterWrite?.(ctx, items, op);
}

/** Lets the delete path skip loading rows when nobody would look at them. */
export const hasDeleteHooks = (object: string): boolean =>
  (hooks.get(object) ?? []).some((h) => h.beforeDelete);

export async function runBeforeDelete(ctx: RecordCtx, items: DeleteItem[]): Promise<void> {
  for (const h of hooks.get(ctx.obj.apiName) ?? []) if (items.length) await h.beforeDelete?.(ctx, items);
}

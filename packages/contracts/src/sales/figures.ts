import { z } from 'zod';
import { Filter, Id } from '../common.ts';

/** An amount in integer minor units (fen) whose currency the context gives (sums, line amounts). */
export const Fen = z.number().int();

/** A percentage with two decimals, null where there is nothing to divide by. */
export const Rate = z.number().nullable();

/** A calendar date, `2026-11-30`. */
export const IsoDate = z.iso.date();

/**
 * Where a number comes from: the generic list page `/o/<object>?filter=…&unit=…` shows exactly the
 * records behind it.
 */
export const Drill = z.object({ object: z.string(), filter: Filter, unit: Id.optional() });
export type Drill = z.infer<typeof Drill>;

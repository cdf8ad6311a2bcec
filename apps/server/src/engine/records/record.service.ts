/**
 * The record service every object gets from the engine, in one import for its callers (modules,
 * routes): the context of an operation, reading, writing, lifecycle and history. Each part lives
 * in its own file.
 */
export { AppError } from '../../core/errors.ts';
export { type RecordCtx, recordCtx } from './record-ctx.ts';
export * from './record-lifecycle.service.ts';
export * from './record-read.service.ts';
export * from './record-timeline.service.ts';
export * from './record-write.service.ts';

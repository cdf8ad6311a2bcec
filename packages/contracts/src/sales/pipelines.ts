import { z } from 'zod';
import { Id, Label, list, RecordData, Timestamp } from '../common.ts';
import { Fen } from './figures.ts';

// ------------------------------------------------------------------ requests

/** A label as an administrator types it: both languages, 1–100 characters. */
export const LabelInput = z.object({
  'zh-CN': z.string().min(1).max(100),
  'en-US': z.string().min(1).max(100),
});
const Key = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/);

export const StageKind = z.enum(['open', 'won', 'lost']);
export type StageKind = z.infer<typeof StageKind>;
export const SopItemType = z.enum(['action', 'script', 'document']);
export type SopItemType = z.infer<typeof SopItemType>;

export const SopItemInput = z.object({
  key: Key,
  type: SopItemType,
  label: LabelInput,
  content: LabelInput.partial().nullable().optional(),
  required: z.boolean(),
});
export const StageInput = z.object({
  key: Key,
  label: LabelInput,
  probability: z.number().min(0).max(100),
  kind: StageKind,
  sop: z.array(SopItemInput).max(30),
});
export const PipelineCreate = z.object({
  name: LabelInput,
  stages: z.array(StageInput).min(3).max(20),
  isDefault: z.boolean().optional(),
});
export type PipelineCreate = z.infer<typeof PipelineCreate>;
export const PipelinePatch = z.object({
  version: z.number().int(),
  name: LabelInput.optional(),
  stages: z.array(StageInput).min(3).max(20).optional(),
  isDefault: z.boolean().optional(),
});
export type PipelinePatch = z.infer<typeof PipelinePatch>;

export const StageMove = z.object({
  stage: z.string().min(1).max(40),
  lostReason: z.string().min(1).max(40).optional(),
  version: z.number().int().optional(),
});
export type StageMove = z.infer<typeof StageMove>;
export const SopToggle = z.object({
  stage: z.string().min(1).max(40),
  item: z.string().min(1).max(40),
  done: z.boolean(),
  note: z.string().max(500).optional(),
});
export type SopToggle = z.infer<typeof SopToggle>;
export const KanbanQuery = z.object({
  pipeline: z.string().max(40).optional(),
  unit: z.string().max(40).optional(),
  owner: z.string().max(40).optional(),
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
export type KanbanQuery = z.infer<typeof KanbanQuery>;

// ------------------------------------------------------------------ responses

export const SopItem = z.object({
  key: z.string(),
  type: SopItemType,
  label: Label,
  /** Script text or document hint shown beside the item. */
  content: Label.partial().nullable().optional(),
  required: z.boolean(),
});
export type SopItem = z.infer<typeof SopItem>;

export const Stage = z.object({
  key: z.string(),
  label: Label,
  probability: z.number(),
  kind: StageKind,
  sop: z.array(SopItem),
});
export type Stage = z.infer<typeof Stage>;

export const Pipeline = z.object({
  id: Id,
  name: Label,
  isDefault: z.boolean(),
  stages: z.array(Stage),
  version: z.number().int(),
});
export type Pipeline = z.infer<typeof Pipeline>;
export const PipelineList = list(Pipeline);
export type PipelineList = z.infer<typeof PipelineList>;

/** One kanban column: totals over every opportunity in scope, and the first page of cards. */
export const KanbanColumn = z.object({
  stage: z.string(),
  label: Label,
  kind: StageKind,
  probability: z.number(),
  count: z.number().int(),
  /** Null when the caller may not read opportunity amounts in full: a sum would reveal what masking hides. */
  amount: Fen.nullable(),
  weighted: Fen.nullable(),
  cards: z.array(RecordData),
  hasMore: z.boolean(),
  /** Per card id: SOP items of this stage done out of all of them (cards of a stage without SOP are absent). */
  sop: z.record(z.string(), z.object({ done: z.number().int(), total: z.number().int() })).optional(),
});
export type KanbanColumn = z.infer<typeof KanbanColumn>;
export const Kanban = z.object({ pipeline: Pipeline, columns: z.array(KanbanColumn) });
export type Kanban = z.infer<typeof Kanban>;

export const SopItemState = SopItem.extend({
  done: z.boolean(),
  doneAt: Timestamp.nullable(),
  /** The name of who ticked it. */
  doneBy: z.string().nullable(),
  note: z.string().nullable(),
});
export type SopItemState = z.infer<typeof SopItemState>;

/** An opportunity's SOP checklist per stage of its pipeline. */
export const SopView = z.object({
  pipeline: z.object({ id: Id, name: Label }),
  currentStage: z.string().nullable(),
  stages: z.array(
    z.object({
      key: z.string(),
      label: Label,
      kind: StageKind,
      probability: z.number(),
      items: z.array(SopItemState),
    }),
  ),
});
export type SopView = z.infer<typeof SopView>;

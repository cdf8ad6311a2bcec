import { z } from 'zod';
import { Filter, Id, Label, list, RecordData, Timestamp } from './common.ts';

/**
 * The record engine (apps/server/src/engine/records): object and field metadata, generic record
 * CRUD for every object, saved views, import and export. Request and response schemas of its
 * routes. Record permissions are `<object>:<action>` with these actions; custom fields and
 * objects need `admin:metadata` (ADMIN_PERMISSIONS in ./admin.ts).
 *
 * The server checks filters in requests with a nesting limit on top of `Filter`
 * (engine/records/filter.ts extends these schemas with it); list and export queries in the URL
 * carry the filter as JSON text and are parsed there.
 */

export const RECORD_ACTIONS = ['read', 'create', 'update', 'delete', 'import', 'export', 'unmask'] as const;
export type RecordAction = (typeof RECORD_ACTIONS)[number];
export const recordPermission = (object: string, action: RecordAction) => `${object}:${action}` as const;

import { FIELD_TYPES } from './field-types.ts';

export { FIELD_TYPES };
export const FieldType = z.enum(FIELD_TYPES);
export type FieldType = z.infer<typeof FieldType>;
export const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'secret'] as const;
export const Classification = z.enum(CLASSIFICATIONS);
export type Classification = z.infer<typeof Classification>;
export const PERSONAL_KINDS = [
  'name',
  'phone',
  'email',
  'id_number',
  'address',
  'birthday',
  'wechat',
  'other',
] as const;
export const PersonalKind = z.enum(PERSONAL_KINDS);
export type PersonalKind = z.infer<typeof PersonalKind>;

// ------------------------------------------------------------------ metadata: requests

const LabelInput = z.object({
  'zh-CN': z.string().trim().min(1).max(100),
  'en-US': z.string().trim().min(1).max(100),
});
export const ApiName = z.string().regex(/^[a-z][a-z0-9_]{1,40}$/, { message: 'api_name' });
export const ObjectParam = z.object({ object: ApiName });
export const FieldParam = ObjectParam.extend({ field: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{1,60}$/) });

const OptionInput = z.object({
  value: z.string().trim().min(1).max(100),
  label: LabelInput,
  color: z.string().max(20).optional(),
});
/** On create an option's code may be left out: it is generated from its Chinese label. */
const NewOptionInput = z.object({
  value: z.string().trim().min(1).max(100).optional(),
  label: LabelInput,
  color: z.string().max(20).optional(),
});
const ValidationInput = z
  .object({
    min: z.number().nullable().optional(),
    max: z.number().nullable().optional(),
    maxLength: z.number().int().min(1).max(32_000).nullable().optional(),
    pattern: z.string().max(500).nullable().optional(),
  })
  .default({});

export const CustomObjectInput = z.object({
  apiName: ApiName,
  label: LabelInput,
  pluralLabel: LabelInput.optional(),
  icon: z.string().max(40).optional(),
});
export type CustomObjectInput = z.infer<typeof CustomObjectInput>;

export const ObjectPatch = z.object({
  label: LabelInput.optional(),
  pluralLabel: LabelInput.optional(),
  icon: z.string().max(40).optional(),
  layout: z
    .object({
      sections: z
        .array(
          z.object({
            key: z.string().max(40),
            label: LabelInput,
            fields: z.array(z.string().max(80)).max(200),
          }),
        )
        .max(30),
    })
    .optional(),
  listColumns: z.array(z.string().max(80)).max(50).optional(),
});
export type ObjectPatch = z.infer<typeof ObjectPatch>;

/** Where a new field goes on the form: into `section`, after `after` (first in the section when null). */
export const FieldPosition = z.object({
  section: z.string().min(1).max(40),
  after: z.string().max(80).nullable().default(null),
});
export const CustomFieldInput = z.object({
  /** Left out: generated from the Chinese label in pinyin (`来源渠道` → `c_laiyuan_qudao`). */
  apiName: ApiName.optional(),
  type: FieldType,
  label: LabelInput,
  required: z.boolean().default(false),
  unique: z.boolean().default(false),
  defaultValue: z.unknown().optional().default(null),
  options: z.array(NewOptionInput).max(500).nullable().default(null),
  position: FieldPosition.optional(),
  /** Also show the new field as the last column of the object's list. */
  addToListColumns: z.boolean().default(false),
  lookupObject: z.string().max(60).nullable().default(null),
  validation: ValidationInput,
  classification: Classification.default('internal'),
  personalKind: PersonalKind.nullable().default(null),
});
export type CustomFieldInput = z.input<typeof CustomFieldInput>;
// zod 4 applies `.default()` inside `.partial()`, so the patch schema has no defaults: renaming a
// field must not reset its classification, personal kind, required/unique flags or options.
export const CustomFieldPatch = z
  .object({
    label: LabelInput,
    required: z.boolean(),
    unique: z.boolean(),
    defaultValue: z.unknown(),
    options: z.array(OptionInput).max(500).nullable(),
    validation: ValidationInput.unwrap(),
    classification: Classification,
    personalKind: PersonalKind.nullable(),
  })
  .partial();
export type CustomFieldPatch = z.infer<typeof CustomFieldPatch>;

export const FieldNameInput = z.object({
  label: z.string().trim().min(1).max(100),
  options: z.array(z.string().trim().min(1).max(100)).max(500).default([]),
});
export const FieldNameSuggestion = z.object({
  /** Without the `c_` every custom field carries; free in this object. */
  apiName: z.string(),
  optionCodes: z.array(z.string()),
});

export const RegionQuery = z.object({
  parent: z
    .string()
    .regex(/^\d{6}$/)
    .optional(),
});

// ------------------------------------------------------------------ metadata: responses

export const PicklistOption = z.object({ value: z.string(), label: Label, color: z.string().optional() });
export type PicklistOption = z.infer<typeof PicklistOption>;

/** A field as the viewer may know it (fields they may not see are not listed). */
export const FieldDescription = z.object({
  apiName: z.string(),
  type: FieldType,
  label: Label,
  required: z.boolean(),
  unique: z.boolean(),
  isCustom: z.boolean(),
  system: z.boolean(),
  readOnly: z.boolean(),
  options: z.array(PicklistOption).nullable(),
  lookupObject: z.string().nullable(),
  validation: z.object({
    min: z.number().nullable().optional(),
    max: z.number().nullable().optional(),
    maxLength: z.number().nullable().optional(),
    pattern: z.string().nullable().optional(),
  }),
  defaultValue: z.unknown(),
  classification: Classification,
  personalKind: PersonalKind.nullable(),
  /** The viewer's access: full, or masked (shown as on screen, may be unmasked with the right). */
  access: z.enum(['full', 'masked']),
  sortable: z.boolean(),
  filterable: z.boolean(),
});
export type FieldDescription = z.infer<typeof FieldDescription>;

export const ObjectSummary = z.object({
  apiName: z.string(),
  label: Label,
  pluralLabel: Label,
  isCustom: z.boolean(),
  icon: z.string(),
  nameField: z.string(),
});
export type ObjectSummary = z.infer<typeof ObjectSummary>;
export const ObjectList = list(ObjectSummary);

export const ObjectDescription = ObjectSummary.extend({
  fields: z.array(FieldDescription),
  layout: z.object({
    sections: z.array(z.object({ key: z.string(), label: Label, fields: z.array(z.string()) })),
  }),
  listColumns: z.array(z.string()),
  /** Objects linking here that the viewer may read: `field` on `object` points to this one. */
  relatedLists: z.array(z.object({ object: z.string(), field: z.string(), label: Label })),
});
export type ObjectDescription = z.infer<typeof ObjectDescription>;

/** What a metadata change names: the object or field it made or changed. */
export const MetadataSaved = z.object({ apiName: z.string() });
export type MetadataSaved = z.infer<typeof MetadataSaved>;

/** A GB/T 2260 region: province (1), city (2) or county (3). */
export const Region = z.object({
  code: z.string(),
  label: Label,
  level: z.number().int(),
  isLeaf: z.boolean(),
});
export type Region = z.infer<typeof Region>;
export const RegionList = list(Region);

// ------------------------------------------------------------------ records: requests

export const RecordParam = ObjectParam.extend({ id: z.string().max(64) });
/** Field values by API name; which fields exist depends on the object (custom fields included). */
export const RecordInput = z.record(z.string(), z.unknown());
export const RecordPatch = z.looseObject({ version: z.number().int().min(1) });
export const BULK_MAX = 1000;
export const BulkInput = z.object({
  op: z.enum(['create', 'update', 'delete']),
  atomic: z.boolean().default(true),
  records: z.array(z.record(z.string(), z.unknown())).min(1).max(BULK_MAX),
});
export type BulkInput = z.input<typeof BulkInput>;
export const UnmaskInput = z.object({ field: z.string().min(1).max(80) });

/** A list query sent in the body (POST /records/:object/query). */
export const RecordQuery = z.object({
  filter: Filter.optional(),
  /** A field API name, `-` first for descending. */
  sort: z.string().max(80).optional(),
  limit: z.number().int().min(1).max(200).optional(),
  cursor: z.string().max(2000).optional(),
  count: z.boolean().optional(),
  q: z.string().max(100).optional(),
  unit: z.string().max(64).optional(),
  deleted: z.boolean().optional(),
});
export type RecordQuery = z.infer<typeof RecordQuery>;

// ------------------------------------------------------------------ records: responses

export const RecordPage = z.object({
  items: z.array(RecordData),
  nextCursor: z.string().nullable(),
  /** Only when asked for with `count`. */
  total: z.number().int().optional(),
});
export type RecordPage = z.infer<typeof RecordPage>;

/** A field error, with its message in the caller's language. */
export const FieldProblem = z.object({
  field: z.string(),
  code: z.string(),
  params: z.record(z.string(), z.unknown()).optional(),
  message: z.string().optional(),
});
export type FieldProblem = z.infer<typeof FieldProblem>;

/** The outcome of each record of a bulk request, by its index in the request. */
export const BulkResult = z.object({
  index: z.number().int(),
  ok: z.boolean(),
  id: Id.optional(),
  version: z.number().int().optional(),
  errors: z.array(FieldProblem).optional(),
  code: z.string().optional(),
});
export type BulkResult = z.infer<typeof BulkResult>;
export const BulkResults = z.object({ results: z.array(BulkResult) });

/** The unmasked value of one field. */
export const Unmasked = z.object({ value: z.unknown() });
export type Unmasked = z.infer<typeof Unmasked>;

export const TimelineChange = z.object({
  field: z.string(),
  from: z.unknown(),
  to: z.unknown(),
  /** Names of linked records the viewer may read. */
  fromDisplay: z.string().optional(),
  toDisplay: z.string().optional(),
});
export const TimelineEntry = z.object({
  id: Id,
  at: Timestamp,
  action: z.string(),
  actor: z.object({ id: Id.nullable(), name: z.string().nullable(), kind: z.string() }),
  changes: z.array(TimelineChange),
  meta: z.unknown(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;
export const Timeline = list(TimelineEntry);

// ------------------------------------------------------------------ saved views

export const SavedView = z.object({
  id: Id,
  object: z.string(),
  name: z.string(),
  ownerId: Id,
  shared: z.boolean(),
  filter: Filter.nullable(),
  columns: z.array(z.string()).nullable(),
  sort: z.string().nullable(),
  updatedAt: Timestamp,
});
export type SavedView = z.infer<typeof SavedView>;
export const SavedViewList = list(SavedView);
export const ViewsQuery = z.object({ object: z.string().max(60) });
export const SavedViewInput = z.object({
  object: z.string().regex(/^[a-z][a-z0-9_]{1,40}$/),
  name: z.string().trim().min(1).max(60),
  filter: Filter.nullable().optional(),
  columns: z.array(z.string().max(80)).max(50).nullable().optional(),
  sort: z.string().max(80).nullable().optional(),
  shared: z.boolean().default(false),
});
export type SavedViewInput = z.input<typeof SavedViewInput>;
// No default for `shared` here: zod 4 would apply it inside .partial() and unshare on every rename.
export const SavedViewPatch = SavedViewInput.omit({ object: true })
  .partial()
  .extend({ shared: z.boolean().optional() });
export type SavedViewPatch = z.infer<typeof SavedViewPatch>;

// ------------------------------------------------------------------ import

export const ImportParam = ObjectParam.extend({ id: z.uuid() });
export const UploadQuery = z.object({ filename: z.string().min(1).max(255).default('upload.csv') });
/** Column mapping: file header → field API name (null: skip the column). */
export const ImportStart = z.object({
  mapping: z.record(z.string().max(500), z.string().max(80).nullable()),
  dedupeKey: z.string().max(80).optional(),
  mode: z.enum(['create', 'upsert']).default('create'),
  dryRun: z.boolean().default(false),
});
export type ImportStart = z.input<typeof ImportStart>;

const FileFormat = z.enum(['csv', 'xlsx']);
const FileEncoding = z.enum(['utf-8', 'utf-8-bom', 'gb18030']);

export const ImportUploaded = z.object({
  id: Id,
  headers: z.array(z.string()),
  sample: z.array(z.array(z.string())),
  encoding: FileEncoding,
  format: FileFormat,
  /** Null while the row count of a large file is not known. */
  totalRows: z.number().int().nullable(),
  suggestedMapping: z.record(z.string(), z.string().nullable()),
});
export type ImportUploaded = z.infer<typeof ImportUploaded>;

export const ImportStatus = z.object({
  id: Id,
  object: z.string(),
  filename: z.string(),
  format: FileFormat,
  encoding: FileEncoding,
  status: z.enum(['uploaded', 'running', 'done', 'failed']),
  mode: z.enum(['create', 'upsert']),
  dedupeKey: z.string().nullable(),
  dryRun: z.boolean(),
  totalRows: z.number().int().nullable(),
  /** False while `totalRows` is an estimate. */
  totalExact: z.boolean(),
  processedRows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
  error: z.string().nullable(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
});
export type ImportStatus = z.infer<typeof ImportStatus>;
export const ImportList = list(ImportStatus);

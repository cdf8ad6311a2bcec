import type { Label } from '../../core/i18n/locale.ts';
import type { Classification, FieldDef, FieldType, PersonalKind, PicklistOption } from './field-types.ts';

export interface LayoutSection {
  key: string;
  label: Label;
  fields: string[];
}

export interface RelatedList {
  object: string;
  field: string;
  label: Label;
}

/** Everything the engine needs to store, query, validate and render one object. */
export interface ObjectDef {
  apiName: string;
  label: Label;
  pluralLabel: Label;
  icon: string;
  isCustom: boolean;
  /** Physical table; custom objects share `custom_records`. */
  table: string;
  /** JSONB column holding custom fields. */
  jsonColumn: 'custom' | 'data';
  /** Set for objects sharing a table: the discriminator value in column `object`. */
  discriminator?: string;
  nameField: string;
  fields: FieldDef[];
  layout: { sections: LayoutSection[] };
  listColumns: string[];
  relatedLists: RelatedList[];
}

type FieldSpec = Partial<Omit<FieldDef, 'apiName' | 'type' | 'label'>> & {
  options?: PicklistOption[] | null;
};

/** Terse field declarations for standard objects. */
export function field(
  apiName: string,
  type: FieldType,
  zh: string,
  en: string,
  spec: FieldSpec = {},
): FieldDef {
  return {
    apiName,
    type,
    label: { 'zh-CN': zh, 'en-US': en },
    required: spec.required ?? false,
    unique: spec.unique ?? false,
    isCustom: spec.isCustom ?? false,
    system: spec.system ?? false,
    readOnly: spec.readOnly ?? false,
    options: spec.options ?? null,
    lookupObject: spec.lookupObject ?? null,
    validation: spec.validation ?? {},
    defaultValue: spec.defaultValue ?? null,
    classification: spec.classification ?? 'internal',
    personalKind: spec.personalKind ?? null,
    column: spec.column,
  };
}

export const option = (value: string, zh: string, en: string, color?: string): PicklistOption => ({
  value,
  label: { 'zh-CN': zh, 'en-US': en },
  ...(color ? { color } : {}),
});

/** Columns every record table has, exposed as read-only fields (owner and unit writable in scope). */
export function systemFields(): FieldDef[] {
  const sys = (
    apiName: string,
    type: FieldType,
    zh: string,
    en: string,
    column: string,
    readOnly = true,
    extra: FieldSpec = {},
  ) => field(apiName, type, zh, en, { system: true, readOnly, column, classification: 'internal', ...extra });
  return [
    sys('id', 'text', 'ID', 'ID', 'id'),
    sys('ownerId', 'user', '负责人', 'Owner', 'owner_id', false),
    sys('unitId', 'unit', '所属组织', 'Unit', 'unit_id', false),
    sys('createdAt', 'datetime', '创建时间', 'Created at', 'created_at'),
    sys('createdBy', 'user', '创建人', 'Created by', 'created_by'),
    sys('updatedAt', 'datetime', '更新时间', 'Updated at', 'updated_at'),
    sys('updatedBy', 'user', '更新人', 'Updated by', 'updated_by'),
    sys('version', 'number', '版本', 'Version', 'version'),
  ];
}

export function pii(kind: PersonalKind, classification: Classification = 'confidential') {
  return { personalKind: kind, classification };
}

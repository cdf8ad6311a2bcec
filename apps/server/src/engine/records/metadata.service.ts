import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import { bumpAuthzVersion } from '../../core/auth/access-loader.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { AppError, conflict, invalid, notFound } from '../../core/errors.ts';
import type { Label, Locale } from '../../core/i18n/locale.ts';
import { apiNameFromLabel, optionCodes, uniqueName } from './api-names.ts';
import type { FieldDef } from './field-types.ts';
import { field, type ObjectDef, systemFields } from './object-def.ts';
import { rt } from './records.messages.ts';
import { optionsLoaderFor, standardObjects } from './standard-objects.ts';
import { claimField, releaseField } from './unique-values.ts';

interface ObjectRow {
  api_name: string;
  label: Label;
  plural_label: Label;
  icon: string | null;
  is_custom: boolean;
  layout: ObjectDef['layout'] | null;
  list_columns: string[] | null;
  deleted_at: Date | null;
}
interface FieldRow {
  object_api_name: string;
  api_name: string;
  type: FieldDef['type'];
  label: Label;
  required: boolean;
  is_unique: boolean;
  default_value: unknown;
  options: FieldDef['options'];
  lookup_object: string | null;
  validation: FieldDef['validation'];
  classification: FieldDef['classification'];
  personal_kind: FieldDef['personalKind'];
}

export interface TenantMetadata {
  objects: Map<string, ObjectDef>;
}

/** Per-tenant metadata cache keyed by authz_version (bumped by every metadata change). */
const cache = new Map<string, { version: number; meta: TenantMetadata }>();

export async function loadMetadata(tx: Tx, tenantId: string, version: number): Promise<TenantMetadata> {
  const hit = cache.get(tenantId);
  if (hit && hit.version === version) return hit.meta;
  const objectRows = (
    await sql<ObjectRow>`select * from object_defs where tenant_id = ${tenantId}`.execute(tx)
  ).rows;
  const fieldRows = (
    await sql<FieldRow>`select * from field_defs where tenant_id = ${tenantId} and deleted_at is null order by sort, created_at`.execute(
      tx,
    )
  ).rows;
  const objects = new Map<string, ObjectDef>();
  const customFieldsOf = (obj: string) => fieldRows.filter((f) => f.object_api_name === obj).map(toFieldDef);
  for (const std of standardObjects()) {
    const override = objectRows.find((o) => o.api_name === std.apiName && !o.is_custom);
    const custom = customFieldsOf(std.apiName);
    const fields: FieldDef[] = [];
    for (const f of std.fields) {
      const loader = optionsLoaderFor(std.apiName, f.apiName);
      const options = loader ? await loader(tx, tenantId) : null;
      fields.push(options ? { ...f, options } : f);
    }
    objects.set(std.apiName, {
      ...std,
      fields: [...fields, ...custom],
      layout: override?.layout ?? withCustomSection(std.layout, custom),
      listColumns: override?.list_columns ?? std.listColumns,
      label: override?.label ?? std.label,
      pluralLabel: override?.plural_label ?? std.pluralLabel,
    });
  }
  for (const o of objectRows.filter((r) => r.is_custom && !r.deleted_at)) {
    const custom = customFieldsOf(o.api_name);
    const base: FieldDef[] = [
      ...systemFields(),
      field('name', 'text', '名称', 'Name', {
        required: true,
        column: 'name',
        validation: { maxLength: 255 },
      }),
    ];
    objects.set(o.api_name, {
      apiName: o.api_name,
      label: o.label,
      pluralLabel: o.plural_label,
      icon: o.icon ?? 'appstore',
      isCustom: true,
      table: 'custom_records',
      jsonColumn: 'data',
      discriminator: o.api_name,
      nameField: 'name',
      fields: [...base, ...custom],
      layout: o.layout ?? {
        sections: [
          {
            key: 'basic',
            label: { 'zh-CN': '基本信息', 'en-US': 'Basics' },
            fields: ['name', ...custom.map((f) => f.apiName)],
          },
          {
            key: 'system',
            label: { 'zh-CN': '系统信息', 'en-US': 'System' },
            fields: ['ownerId', 'unitId', 'createdAt', 'updatedAt'],
          },
        ],
      },
      listColumns: o.list_columns ?? [
        'name',
        ...custom.slice(0, 5).map((f) => f.apiName),
        'ownerId',
        'updatedAt',
      ],
      relatedLists: [],
    });
  }
  // Related lists follow lookups: a custom lookup to customer shows on the customer page.
  for (const obj of objects.values()) {
    for (const f of obj.fields) {
      if (f.type !== 'lookup' || !f.lookupObject || !f.isCustom) continue;
      const target = objects.get(f.lookupObject);
      if (target && !target.relatedLists.some((r) => r.object === obj.apiName && r.field === f.apiName)) {
        objects.set(target.apiName, {
          ...target,
          relatedLists: [
            ...target.relatedLists,
            { object: obj.apiName, field: f.apiName, label: obj.pluralLabel },
          ],
        });
      }
    }
  }
  const meta = { objects };
  cache.set(tenantId, { version, meta });
  return meta;
}

function withCustomSection(layout: ObjectDef['layout'], custom: FieldDef[]): ObjectDef['layout'] {
  if (custom.length === 0) return layout;
  const sections = [...layout.sections];
  const at = Math.max(0, sections.length - 1);
  sections.splice(at, 0, {
    key: 'custom',
    label: { 'zh-CN': '自定义字段', 'en-US': 'Custom fields' },
    fields: custom.map((f) => f.apiName),
  });
  return { sections };
}

function toFieldDef(r: FieldRow): FieldDef {
  return {
    apiName: r.api_name,
    type: r.type,
    label: r.label,
    required: r.required,
    unique: r.is_unique,
    isCustom: true,
    system: false,
    readOnly: false,
    options: r.options,
    lookupObject: r.lookup_object,
    validation: r.validation ?? {},
    defaultValue: r.default_value,
    classification: r.classification,
    personalKind: r.personal_kind,
  };
}

export function getObject(meta: TenantMetadata, apiName: string): ObjectDef {
  const obj = meta.objects.get(apiName);
  if (!obj) throw notFound('object');
  return obj;
}

export interface ObjectInput {
  apiName: string;
  label: Label;
  pluralLabel?: Label;
  icon?: string;
}

export async function createCustomObject(tx: Tx, actor: Actor, meta: TenantMetadata, input: ObjectInput) {
  if (meta.objects.has(input.apiName))
    throw conflict('conflict.exists', { what: input.apiName }, [{ field: 'apiName', code: 'unique' }]);
  const existing = (
    await sql`select 1 from object_defs where tenant_id = ${actor.tenantId} and api_name = ${input.apiName}`.execute(
      tx,
    )
  ).rows[0];
  if (existing)
    throw conflict('conflict.exists', { what: input.apiName }, [{ field: 'apiName', code: 'unique' }]);
  await sql`insert into object_defs (tenant_id, api_name, label, plural_label, icon, is_custom)
    values (${actor.tenantId}, ${input.apiName}, ${JSON.stringify(input.label)}::jsonb,
      ${JSON.stringify(input.pluralLabel ?? input.label)}::jsonb, ${input.icon ?? 'appstore'}, true)`.execute(
    tx,
  );
  await writeAudit(tx, actor, {
    action: 'metadata_change',
    object: input.apiName,
    meta: { op: 'create_object', input },
  });
  await bumpAuthzVersion(tx, actor.tenantId);
}

export interface ObjectPatch {
  label?: Label;
  pluralLabel?: Label;
  icon?: string;
  layout?: ObjectDef['layout'];
  listColumns?: string[];
}

export async function updateObject(tx: Tx, actor: Actor, obj: ObjectDef, patch: ObjectPatch) {
  const known = new Set(obj.fields.map((f) => f.apiName));
  const badFields = [
    ...(patch.layout?.sections.flatMap((s) => s.fields) ?? []),
    ...(patch.listColumns ?? []),
  ].filter((f) => !known.has(f));
  if (badFields.length)
    throw invalid(badFields.map((f) => ({ field: 'layout', code: 'unknown_field', params: { value: f } })));
  await saveObjectOverride(tx, actor.tenantId, obj, patch);
  await writeAudit(tx, actor, {
    action: 'metadata_change',
    object: obj.apiName,
    meta: { op: 'update_object', patch },
  });
  await bumpAuthzVersion(tx, actor.tenantId);
}

async function saveObjectOverride(tx: Tx, tenantId: string, obj: ObjectDef, patch: ObjectPatch) {
  await sql`insert into object_defs (tenant_id, api_name, label, plural_label, icon, is_custom, layout, list_columns)
    values (${tenantId}, ${obj.apiName}, ${JSON.stringify(patch.label ?? obj.label)}::jsonb,
      ${JSON.stringify(patch.pluralLabel ?? obj.pluralLabel)}::jsonb, ${patch.icon ?? obj.icon}, ${obj.isCustom},
      ${patch.layout ? JSON.stringify(patch.layout) : null}::jsonb, ${patch.listColumns ? JSON.stringify(patch.listColumns) : null}::jsonb)
    on conflict (tenant_id, api_name) do update set
      label = excluded.label, plural_label = excluded.plural_label, icon = excluded.icon,
      layout = coalesce(excluded.layout, object_defs.layout), list_columns = coalesce(excluded.list_columns, object_defs.list_columns),
      updated_at = now()`.execute(tx);
}

export async function deleteCustomObject(tx: Tx, actor: Actor, obj: ObjectDef) {
  if (!obj.isCustom) throw invalid([{ field: 'apiName', code: 'read_only' }]);
  await sql`update object_defs set deleted_at = now() where tenant_id = ${actor.tenantId} and api_name = ${obj.apiName}`.execute(
    tx,
  );
  await releaseField(tx, actor.tenantId, obj.apiName);
  await writeAudit(tx, actor, {
    action: 'metadata_change',
    object: obj.apiName,
    meta: { op: 'delete_object' },
  });
  await bumpAuthzVersion(tx, actor.tenantId);
}

export type FieldInput = Omit<FieldDef, 'isCustom' | 'system' | 'readOnly' | 'column'>;

/** What the create form sends: the API name and option codes may be left to be generated. */
export type NewFieldInput = Omit<FieldInput, 'apiName' | 'options'> & {
  apiName?: string;
  options: { value?: string; label: Label; color?: string }[] | null;
  position?: { section: string; after: string | null };
  addToListColumns?: boolean;
};

/** Names of the object's fields, deleted ones included (their names stay reserved). */
async function takenFieldNames(tx: Tx, tenantId: string, obj: ObjectDef): Promise<Set<string>> {
  const rows = (
    await sql<{
      api_name: string;
    }>`select api_name from field_defs where tenant_id = ${tenantId} and object_api_name = ${obj.apiName}`.execute(
      tx,
    )
  ).rows;
  return new Set([...obj.fields.map((f) => f.apiName), ...rows.map((r) => r.api_name)]);
}

/** The API name (without `c_`) and option codes the create form proposes for a label. */
export async function suggestFieldName(
  tx: Tx,
  tenantId: string,
  obj: ObjectDef,
  label: string,
  options: string[],
): Promise<{ apiName: string; optionCodes: string[] }> {
  const taken = await takenFieldNames(tx, tenantId, obj);
  return {
    apiName: uniqueName(apiNameFromLabel(label), (n) => taken.has(`c_${n}`)),
    optionCodes: optionCodes(options),
  };
}

/** The layout with `apiName` placed in `section` after `after` (or appended to the custom section). */
function placeField(
  layout: ObjectDef['layout'],
  apiName: string,
  position: { section: string; after: string | null } | undefined,
): ObjectDef['layout'] {
  const sections = layout.sections.map((s) => ({ ...s, fields: s.fields.filter((f) => f !== apiName) }));
  if (!position) {
    const custom = sections.find((s) => s.key === 'custom');
    if (custom) custom.fields.push(apiName);
    else {
      sections.splice(Math.max(0, sections.length - 1), 0, {
        key: 'custom',
        label: { 'zh-CN': '自定义字段', 'en-US': 'Custom fields' },
        fields: [apiName],
      });
    }
    return { sections };
  }
  const target = sections.find((s) => s.key === position.section);
  if (!target)
    throw invalid([{ field: 'position.section', code: 'option', params: { value: position.section } }]);
  if (position.after === null) target.fields.unshift(apiName);
  else {
    const at = target.fields.indexOf(position.after);
    if (at < 0)
      throw invalid([{ field: 'position.after', code: 'option', params: { value: position.after } }]);
    target.fields.splice(at + 1, 0, apiName);
  }
  return { sections };
}

export async function createCustomField(
  tx: Tx,
  actor: Actor,
  meta: TenantMetadata,
  obj: ObjectDef,
  newField: NewFieldInput,
) {
  // A deleted field's name stays reserved: old JSONB values under it must never resurface.
  const taken = await takenFieldNames(tx, actor.tenantId, obj);
  let apiName: string;
  if (newField.apiName) {
    apiName = newField.apiName.startsWith('c_') ? newField.apiName : `c_${newField.apiName}`;
    if (taken.has(apiName))
      throw conflict('conflict.exists', { what: apiName }, [{ field: 'apiName', code: 'unique' }]);
  } else {
    apiName = `c_${uniqueName(apiNameFromLabel(newField.label['zh-CN']), (n) => taken.has(`c_${n}`))}`;
  }
  const given = (newField.options ?? []).map((o) => o.value).filter((v): v is string => !!v);
  const codes = optionCodes(
    (newField.options ?? []).filter((o) => !o.value).map((o) => o.label['zh-CN']),
    given,
  );
  const input: FieldInput = {
    ...newField,
    apiName,
    options: newField.options
      ? newField.options.map((o) => ({ ...o, value: o.value || (codes.shift() as string) }))
      : null,
  };
  validateFieldInput(meta, input);
  const sort = obj.fields.filter((f) => f.isCustom).length;
  await sql`insert into field_defs (tenant_id, object_api_name, api_name, type, label, required, is_unique, default_value,
      options, lookup_object, validation, classification, personal_kind, sort)
    values (${actor.tenantId}, ${obj.apiName}, ${apiName}, ${input.type}, ${JSON.stringify(input.label)}::jsonb, ${input.required},
      ${input.unique}, ${input.defaultValue === undefined || input.defaultValue === null ? null : JSON.stringify(input.defaultValue)}::jsonb,
      ${input.options ? JSON.stringify(input.options) : null}::jsonb, ${input.lookupObject}, ${JSON.stringify(input.validation ?? {})}::jsonb,
      ${input.classification}, ${input.personalKind}, ${sort})`.execute(tx);
  // Until an admin arranges the form, custom fields follow in their own section; once a layout is
  // saved (or a position is asked for) the new field is placed in it, else it would never show.
  const stored = (
    await sql<{
      layout: ObjectDef['layout'] | null;
    }>`select layout from object_defs where tenant_id = ${actor.tenantId} and api_name = ${obj.apiName}`.execute(
      tx,
    )
  ).rows[0];
  const layout =
    newField.position || stored?.layout ? placeField(obj.layout, apiName, newField.position) : undefined;
  const listColumns = newField.addToListColumns
    ? [...obj.listColumns.filter((c) => c !== apiName), apiName]
    : undefined;
  if (layout || listColumns) await saveObjectOverride(tx, actor.tenantId, obj, { layout, listColumns });
  await writeAudit(tx, actor, {
    action: 'metadata_change',
    object: obj.apiName,
    meta: {
      op: 'create_field',
      field: apiName,
      input,
      position: newField.position ?? null,
      addToListColumns: !!listColumns,
    },
  });
  await bumpAuthzVersion(tx, actor.tenantId);
  return apiName;
}

function validateFieldInput(meta: TenantMetadata, input: Partial<FieldInput>) {
  if ((input.type === 'picklist' || input.type === 'multipicklist') && !input.options?.length)
    throw invalid([{ field: 'options', code: 'required' }]);
  if (input.type === 'lookup' && (!input.lookupObject || !meta.objects.has(input.lookupObject)))
    throw invalid([{ field: 'lookupObject', code: 'option', params: { value: input.lookupObject ?? '' } }]);
  if (input.options) {
    const values = input.options.map((o) => o.value);
    if (new Set(values).size !== values.length) throw invalid([{ field: 'options', code: 'unique' }]);
  }
  if (input.validation?.pattern) {
    try {
      new RegExp(input.validation.pattern);
    } catch {
      throw invalid([{ field: 'validation.pattern', code: 'pattern' }]);
    }
  }
}

export async function updateCustomField(
  tx: Tx,
  actor: Actor,
  meta: TenantMetadata,
  obj: ObjectDef,
  f: FieldDef,
  patch: Partial<FieldInput>,
  locale: Locale = 'zh-CN',
) {
  if (!f.isCustom) throw invalid([{ field: 'apiName', code: 'read_only' }]);
  validateFieldInput(meta, { ...f, ...patch, type: f.type });
  const next = { ...f, ...patch };
  if (next.unique && !f.unique) {
    // Existing values are claimed like new ones; shared values make the change fail as a whole.
    const { sharedValues } = await claimField(tx, actor.tenantId, obj, f);
    if (sharedValues > 0) {
      const detail = rt(locale, 'unique_shared_values', { count: sharedValues, field: f.label[locale] });
      throw new AppError('conflict', 409, {
        detailKey: detail,
        errors: [{ field: 'unique', code: 'unique', message: detail }],
        extra: { sharedValues },
      });
    }
  } else if (!next.unique && f.unique) await releaseField(tx, actor.tenantId, obj.apiName, f.apiName);
  await sql`update field_defs set label = ${JSON.stringify(next.label)}::jsonb, required = ${next.required}, is_unique = ${next.unique},
      default_value = ${next.defaultValue === undefined || next.defaultValue === null ? null : JSON.stringify(next.defaultValue)}::jsonb,
      options = ${next.options ? JSON.stringify(next.options) : null}::jsonb, validation = ${JSON.stringify(next.validation ?? {})}::jsonb,
      classification = ${next.classification}, personal_kind = ${next.personalKind}, updated_at = now()
    where tenant_id = ${actor.tenantId} and object_api_name = ${obj.apiName} and api_name = ${f.apiName}`.execute(
    tx,
  );
  await writeAudit(tx, actor, {
    action: 'metadata_change',
    object: obj.apiName,
    meta: { op: 'update_field', field: f.apiName, patch },
  });
  await bumpAuthzVersion(tx, actor.tenantId);
}

export async function deleteCustomField(tx: Tx, actor: Actor, obj: ObjectDef, f: FieldDef) {
  if (!f.isCustom) throw invalid([{ field: 'apiName', code: 'read_only' }]);
  await sql`update field_defs set deleted_at = now()
    where tenant_id = ${actor.tenantId} and object_api_name = ${obj.apiName} and api_name = ${f.apiName}`.execute(
    tx,
  );
  if (f.unique) await releaseField(tx, actor.tenantId, obj.apiName, f.apiName);
  await writeAudit(tx, actor, {
    action: 'metadata_change',
    object: obj.apiName,
    meta: { op: 'delete_field', field: f.apiName },
  });
  await bumpAuthzVersion(tx, actor.tenantId);
}

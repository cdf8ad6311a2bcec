import { ADMIN_PERMISSIONS } from '@kehu/contracts/admin';
import {
  CustomFieldInput,
  CustomFieldPatch,
  CustomObjectInput,
  FieldNameInput,
  FieldNameSuggestion,
  FieldParam,
  MetadataSaved,
  ObjectDescription,
  ObjectList,
  ObjectParam,
  ObjectPatch,
  RegionList,
  RegionQuery,
} from '@kehu/contracts/records';
import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import { can } from '../../core/auth/principal.ts';
import { notFound } from '../../core/errors.ts';
import { defineRoute, type RouteSpec } from '../../core/http/route.ts';
import { accessMap } from './field-access.ts';
import {
  createCustomField,
  createCustomObject,
  deleteCustomField,
  deleteCustomObject,
  getObject,
  loadMetadata,
  suggestFieldName,
  updateCustomField,
  updateObject,
} from './metadata.service.ts';
import type { ObjectDef } from './object-def.ts';

const tags = ['metadata'];

/** The description a viewer gets: fields they may not see are not listed at all. */
export function describeObject(p: Principal, obj: ObjectDef) {
  const access = accessMap(p, obj);
  const fields = obj.fields
    .filter((f) => access.get(f.apiName) !== 'hidden')
    .map((f) => ({
      apiName: f.apiName,
      type: f.type,
      label: f.label,
      required: f.required,
      unique: f.unique,
      isCustom: f.isCustom,
      system: f.system,
      readOnly: f.readOnly || (f.system && !['ownerId', 'unitId'].includes(f.apiName)),
      options: f.options,
      lookupObject: f.lookupObject,
      validation: f.validation,
      defaultValue: f.defaultValue,
      classification: f.classification,
      personalKind: f.personalKind,
      access: access.get(f.apiName),
      sortable: !['multipicklist', 'json', 'longtext'].includes(f.type) && access.get(f.apiName) === 'full',
      filterable: true,
    }));
  const visible = new Set(fields.map((f) => f.apiName));
  return {
    apiName: obj.apiName,
    label: obj.label,
    pluralLabel: obj.pluralLabel,
    isCustom: obj.isCustom,
    nameField: obj.nameField,
    icon: obj.icon,
    fields,
    layout: {
      sections: obj.layout.sections.map((s) => ({ ...s, fields: s.fields.filter((f) => visible.has(f)) })),
    },
    listColumns: obj.listColumns.filter((f) => visible.has(f)),
    relatedLists: obj.relatedLists.filter((r) => can(p, `${r.object}:read`)),
  };
}

export const metadataRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/meta/objects',
    permission: 'authenticated',
    summary: 'Objects the caller may read',
    tags,
    response: ObjectList,
    handler: (req) =>
      req.tx(
        async (tx) => {
          const meta = await loadMetadata(tx, req.principal.tenantId, req.principal.authzVersion);
          return {
            items: [...meta.objects.values()]
              .filter((o) => can(req.principal, `${o.apiName}:read`))
              .map((o) => ({
                apiName: o.apiName,
                label: o.label,
                pluralLabel: o.pluralLabel,
                isCustom: o.isCustom,
                icon: o.icon,
                nameField: o.nameField,
              })),
          };
        },
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/meta/objects/:object',
    permission: (p: { object: string }) => `${p.object}:read`,
    summary: 'Describe one object: fields (with the caller’s access), layout, related lists',
    tags,
    params: ObjectParam,
    response: ObjectDescription,
    handler: (req) =>
      req.tx(
        async (tx) =>
          describeObject(
            req.principal,
            getObject(
              await loadMetadata(tx, req.principal.tenantId, req.principal.authzVersion),
              req.params.object,
            ),
          ),
        {
          readOnly: true,
        },
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/meta/objects',
    permission: ADMIN_PERMISSIONS.metadata,
    summary: 'Create a custom object',
    tags,
    status: 201,
    body: CustomObjectInput,
    response: MetadataSaved,
    handler: async (req) => {
      await req.tx(async (tx) =>
        createCustomObject(
          tx,
          req.actor,
          await loadMetadata(tx, req.principal.tenantId, req.principal.authzVersion),
          req.body,
        ),
      );
      return { apiName: req.body.apiName };
    },
  }),
  defineRoute({
    method: 'PATCH',
    url: '/meta/objects/:object',
    permission: ADMIN_PERMISSIONS.metadata,
    summary: 'Change labels, icon, layout or list columns of an object',
    tags,
    params: ObjectParam,
    body: ObjectPatch,
    response: MetadataSaved,
    handler: async (req) => {
      await req.tx(async (tx) =>
        updateObject(
          tx,
          req.actor,
          getObject(
            await loadMetadata(tx, req.principal.tenantId, req.principal.authzVersion),
            req.params.object,
          ),
          req.body,
        ),
      );
      return { apiName: req.params.object };
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/meta/objects/:object',
    permission: ADMIN_PERMISSIONS.metadata,
    summary: 'Delete a custom object',
    tags,
    status: 204,
    params: ObjectParam,
    handler: (req) =>
      req.tx(async (tx) =>
        deleteCustomObject(
          tx,
          req.actor,
          getObject(
            await loadMetadata(tx, req.principal.tenantId, req.principal.authzVersion),
            req.params.object,
          ),
        ),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/meta/objects/:object/fields',
    permission: ADMIN_PERMISSIONS.metadata,
    summary: 'Add a custom field',
    tags,
    status: 201,
    params: ObjectParam,
    body: CustomFieldInput,
    response: MetadataSaved,
    handler: async (req) => {
      const name = await req.tx(async (tx) => {
        const meta = await loadMetadata(tx, req.principal.tenantId, req.principal.authzVersion);
        return createCustomField(tx, req.actor, meta, getObject(meta, req.params.object), req.body as any);
      });
      return { apiName: name };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/meta/objects/:object/field-name',
    permission: ADMIN_PERMISSIONS.metadata,
    summary: 'Propose an API name (pinyin of the label, free in this object) and option codes',
    tags,
    params: ObjectParam,
    body: FieldNameInput,
    response: FieldNameSuggestion,
    handler: (req) =>
      req.tx(
        async (tx) => {
          const meta = await loadMetadata(tx, req.principal.tenantId, req.principal.authzVersion);
          return suggestFieldName(
            tx,
            req.principal.tenantId,
            getObject(meta, req.params.object),
            req.body.label,
            req.body.options,
          );
        },
        { readOnly: true },
      ),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/meta/objects/:object/fields/:field',
    permission: ADMIN_PERMISSIONS.metadata,
    summary: 'Change a custom field',
    tags,
    params: FieldParam,
    body: CustomFieldPatch,
    response: MetadataSaved,
    handler: async (req) => {
      await req.tx(async (tx) => {
        const meta = await loadMetadata(tx, req.principal.tenantId, req.principal.authzVersion);
        const obj = getObject(meta, req.params.object);
        const f = obj.fields.find((x) => x.apiName === req.params.field);
        if (!f) throw notFound('field');
        await updateCustomField(tx, req.actor, meta, obj, f, req.body as any, req.principal.locale);
      });
      return { apiName: req.params.field };
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/meta/objects/:object/fields/:field',
    permission: ADMIN_PERMISSIONS.metadata,
    summary: 'Delete a custom field',
    tags,
    status: 204,
    params: FieldParam,
    handler: (req) =>
      req.tx(async (tx) => {
        const obj = getObject(
          await loadMetadata(tx, req.principal.tenantId, req.principal.authzVersion),
          req.params.object,
        );
        const f = obj.fields.find((x) => x.apiName === req.params.field);
        if (!f) throw notFound('field');
        await deleteCustomField(tx, req.actor, obj, f);
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/meta/regions',
    permission: 'authenticated',
    summary: 'GB/T 2260 regions: provinces, or the children of `parent`',
    tags,
    query: RegionQuery,
    response: RegionList,
    handler: (req) =>
      req.tx(
        async (tx) => ({
          items: (
            await sql<{
              code: string;
              name_zh: string;
              name_en: string;
              level: number;
            }>`select code, name_zh, name_en, level from regions
            where ${req.query.parent ? sql`parent_code = ${req.query.parent}` : sql`level = 1`} order by code`.execute(
              tx,
            )
          ).rows.map((r) => ({
            code: r.code,
            label: { 'zh-CN': r.name_zh, 'en-US': r.name_en },
            level: r.level,
            isLeaf: r.level >= 3,
          })),
        }),
        { readOnly: true },
      ),
  }),
];

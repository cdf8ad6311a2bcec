import type { FieldAccess } from '@kehu/contracts/admin';
import type { FieldType } from '@kehu/contracts/records';
import { useQuery } from '@tanstack/react-query';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { asItems, http } from '../shared/api-client';

export type LocalizedLabel = Record<string, string> | string | null | undefined;

export type { FieldAccess } from '@kehu/contracts/admin';

export { FIELD_TYPES } from '@kehu/contracts/field-types';
export type { FieldType } from '@kehu/contracts/records';

export interface PicklistOption {
  value: string;
  label?: LocalizedLabel;
  color?: string;
  active?: boolean;
}

export interface FieldMeta {
  apiName: string;
  type: FieldType;
  label: LocalizedLabel;
  required: boolean;
  unique: boolean;
  isCustom: boolean;
  system: boolean;
  readOnly: boolean;
  options: PicklistOption[] | string[] | null;
  lookupObject: string | null;
  validation: {
    min?: number | null;
    max?: number | null;
    maxLength?: number | null;
    pattern?: string | null;
  } | null;
  defaultValue: unknown;
  classification?: 'public' | 'internal' | 'confidential' | 'secret' | null;
  personalKind?: string | null;
  access: FieldAccess;
  sortable?: boolean;
  filterable?: boolean;
}

export interface LayoutSection {
  key: string;
  label: LocalizedLabel;
  fields: string[];
}

export interface RelatedList {
  object: string;
  field: string;
  label: LocalizedLabel;
}

export interface ObjectSummary {
  apiName: string;
  label: LocalizedLabel;
  pluralLabel: LocalizedLabel;
  isCustom: boolean;
  icon?: string | null;
  nameField: string;
}

export interface ObjectMeta extends ObjectSummary {
  fields: FieldMeta[];
  layout: { sections: LayoutSection[] } | null;
  listColumns: string[];
  relatedLists: RelatedList[];
}

export function localize(label: LocalizedLabel, lang: string, fallback = ''): string {
  if (!label) return fallback;
  if (typeof label === 'string') return label;
  return label[lang] ?? label['zh-CN'] ?? label['en-US'] ?? Object.values(label)[0] ?? fallback;
}

/** `t`-like helper for metadata labels in the current UI language. */
export function useLabel(): (label: LocalizedLabel, fallback?: string) => string {
  const { i18n } = useTranslation();
  const lang = i18n.language;
  return useCallback((label: LocalizedLabel, fallback = '') => localize(label, lang, fallback), [lang]);
}

export function normalizeOptions(options: FieldMeta['options']): PicklistOption[] {
  if (!options) return [];
  return (options as Array<PicklistOption | string>).map((o) =>
    typeof o === 'string' ? { value: o, label: o } : o,
  );
}

export function useObjects() {
  return useQuery({
    queryKey: ['meta', 'objects'],
    queryFn: () => http.get<unknown>('/meta/objects').then((d) => asItems<ObjectSummary>(d)),
    staleTime: 5 * 60_000,
  });
}

export function useObjectMeta(object: string | undefined) {
  return useQuery({
    queryKey: ['meta', 'object', object],
    queryFn: () => http.get<ObjectMeta>(`/meta/objects/${encodeURIComponent(object!)}`),
    enabled: !!object,
    staleTime: 5 * 60_000,
  });
}

export function fieldMap(meta: ObjectMeta | undefined): Map<string, FieldMeta> {
  return new Map((meta?.fields ?? []).map((f) => [f.apiName, f]));
}

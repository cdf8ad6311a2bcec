/**
 * The record engine's field types. Zod-free on purpose: the web imports this list at run time
 * (the field editor's type picker) without pulling zod into the browser bundle.
 */
export const FIELD_TYPES = [
  'text',
  'longtext',
  'number',
  'currency',
  'percent',
  'date',
  'datetime',
  'boolean',
  'picklist',
  'multipicklist',
  'lookup',
  'user',
  'unit',
  'phone',
  'email',
  'url',
  'region',
  'json',
] as const;

import { type FieldDef, maskValue as maskField } from '../../engine/records/field-types.ts';

/** Masks a personal value the way the record engine does (field-types.ts), by personal kind. */
export function maskValue(kind: string, value: string): string {
  const v = kind === 'phone' ? value.replace(/^\+86/, '') : value;
  return String(maskField({ type: 'text', personalKind: kind } as unknown as FieldDef, v));
}

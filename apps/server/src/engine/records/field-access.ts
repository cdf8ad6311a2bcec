import type { FieldAccess, Principal } from '../../core/auth/principal.ts';
import type { FieldDef } from './field-types.ts';
import type { ObjectDef } from './object-def.ts';

const MASKED_BY_DEFAULT = new Set(['phone', 'email', 'id_number', 'address', 'wechat', 'birthday']);

/**
 * What a viewer sees of a field: a role's explicit setting wins; otherwise administrators
 * see everything, secret fields are hidden and personal or confidential ones masked
 * (PIPL minimum necessary: R13.1, R13.3).
 */
export function fieldAccess(p: Principal, obj: ObjectDef, f: FieldDef): FieldAccess {
  const explicit = p.fieldAccess[obj.apiName]?.[f.apiName];
  if (explicit) return explicit;
  if (f.system) return 'full';
  if (p.permissions.includes('*')) return 'full';
  if (f.classification === 'secret') return 'hidden';
  if (f.personalKind && MASKED_BY_DEFAULT.has(f.personalKind)) return 'masked';
  if (f.classification === 'confidential') return 'masked';
  return 'full';
}

export function accessMap(p: Principal, obj: ObjectDef): Map<string, FieldAccess> {
  return new Map(obj.fields.map((f) => [f.apiName, fieldAccess(p, obj, f)]));
}

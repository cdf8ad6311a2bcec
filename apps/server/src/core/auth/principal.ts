import { DATA_SCOPES, FIELD_ACCESS } from '@kehu/contracts/admin';
import { RECORD_ACTIONS } from '@kehu/contracts/records';
import type { Locale } from '../i18n/locale.ts';

export type DataScope = (typeof DATA_SCOPES)[number];
export type FieldAccess = (typeof FIELD_ACCESS)[number];
export { DATA_SCOPES, FIELD_ACCESS, RECORD_ACTIONS };
export const SCOPE_RANK: Record<DataScope, number> = { own: 0, unit: 1, unit_tree: 2, tenant: 3 };
export const ACCESS_RANK: Record<FieldAccess, number> = { hidden: 0, masked: 1, full: 2 };

export type RecordAction = (typeof RECORD_ACTIONS)[number];
export interface RoleGrant {
  permissions: string[];
  dataScopes: Record<string, DataScope>;
  fieldAccess: Record<string, Record<string, FieldAccess>>;
}

/** Who is calling, and everything needed to decide what they may see and do. */
export interface Principal {
  tenantId: string;
  userId: string;
  userName: string;
  unitId: string;
  locale: Locale;
  kind: 'user' | 'api_key';
  apiKeyId?: string;
  /** An API key may only narrow what its user may do. */
  apiScopes?: string[];
  sessionId?: string;
  csrfToken?: string;
  permissions: string[];
  dataScopes: Record<string, DataScope>;
  fieldAccess: Record<string, Record<string, FieldAccess>>;
  /** Ids of the user's unit and every unit below it. */
  subtreeUnitIds: string[];
  /** The tenant's authz_version this principal was built from (also keys metadata caches). */
  authzVersion: number;
}

export function matches(granted: string[], perm: string): boolean {
  if (granted.includes('*') || granted.includes(perm)) return true;
  const [ns] = perm.split(':');
  return granted.includes(`${ns}:*`) || granted.includes(`*:${perm.split(':')[1]}`);
}

export function can(p: Principal, perm: string): boolean {
  if (!matches(p.permissions, perm)) return false;
  if (p.apiScopes && !matches(p.apiScopes, perm)) return false;
  return true;
}

/** Several roles combine to the widest grant. */
export function mergeRoles(roles: RoleGrant[]): RoleGrant {
  const permissions = [...new Set(roles.flatMap((r) => r.permissions))];
  const dataScopes: Record<string, DataScope> = {};
  const fieldAccess: Record<string, Record<string, FieldAccess>> = {};
  for (const r of roles) {
    for (const [obj, scope] of Object.entries(r.dataScopes)) {
      const cur = dataScopes[obj];
      if (!cur || SCOPE_RANK[scope] > SCOPE_RANK[cur]) dataScopes[obj] = scope;
    }
    for (const [obj, fields] of Object.entries(r.fieldAccess)) {
      fieldAccess[obj] ??= {};
      const target = fieldAccess[obj];
      for (const [f, a] of Object.entries(fields)) {
        const cur = target[f];
        if (!cur || ACCESS_RANK[a] > ACCESS_RANK[cur]) target[f] = a;
      }
    }
  }
  return { permissions, dataScopes, fieldAccess };
}

export function dataScopeFor(p: Principal, object: string): DataScope {
  return p.dataScopes[object] ?? p.dataScopes['*'] ?? 'own';
}

/**
 * Row visibility as a predicate input: null = whole tenant; otherwise records must be owned
 * by `ownerId` (scope own) or sit in one of `unitIds`.
 */
export function rowScope(p: Principal, object: string): { unitIds: string[] | null; ownerId: string | null } {
  switch (dataScopeFor(p, object)) {
    case 'tenant':
      return { unitIds: null, ownerId: null };
    case 'unit_tree':
      return { unitIds: p.subtreeUnitIds, ownerId: null };
    case 'unit':
      return { unitIds: [p.unitId], ownerId: null };
    default:
      return { unitIds: [], ownerId: p.userId };
  }
}

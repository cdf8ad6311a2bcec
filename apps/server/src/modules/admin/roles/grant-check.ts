import {
  ACCESS_RANK,
  type DataScope,
  dataScopeFor,
  type FieldAccess,
  matches,
  mergeRoles,
  type Principal,
  type RoleGrant,
  SCOPE_RANK,
} from '../../../core/auth/principal.ts';
import type { Tx, TypedTx } from '../../../core/db/tenant-scope.ts';
import { AppError } from '../../../core/errors.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { t } from '../../../core/i18n/messages.ts';
import { fieldAccess } from '../../../engine/records/field-access.ts';
import { loadMetadata } from '../../../engine/records/metadata.service.ts';
import type { ObjectDef } from '../../../engine/records/object-def.ts';

/**
 * The one rule of delegated administration: nobody hands out more than they hold. Creating or
 * editing a role, assigning roles to a user, and editing, disabling or resetting a user all
 * come down to "is this grant within the caller's own?", answered here.
 */
export type GrantExcess =
  | { kind: 'permission'; permission: string }
  | { kind: 'data_scope'; object: string; scope: DataScope; outsideUnit?: true }
  | { kind: 'field'; object: string; field: string; access: FieldAccess };

/**
 * Whether `granted` holds `perm` as a grant (not merely as a check): a wildcard is held only
 * by the same wildcard or `*`, since holding every action today says nothing of tomorrow's.
 */
function holds(granted: string[], perm: string): boolean {
  if (granted.includes('*')) return true;
  if (perm === '*') return false;
  const [ns, action] = perm.split(':');
  if (ns === '*' || action === '*') return granted.includes(perm);
  return matches(granted, perm);
}

const holderHolds = (p: Principal, perm: string) =>
  holds(p.permissions, perm) && (!p.apiScopes || holds(p.apiScopes, perm));

/**
 * Whether a scope held at `unitId` stays inside what the holder sees: a unit scope is relative
 * to its holder's unit, so `unit_tree` given at headquarters is the whole company.
 */
function withinReach(holder: Principal, held: DataScope, given: DataScope, unitId: string): boolean {
  if (held === 'tenant' || given === 'own') return true;
  if (held === 'unit_tree') return holder.subtreeUnitIds.includes(unitId);
  return unitId === holder.unitId;
}

/**
 * The first thing `wanted` grants beyond `holder`, or null when it is within. With `unitId`
 * (a user's unit), unit-relative scopes must also stay inside the holder's own units.
 */
export function grantExcess(
  holder: Principal,
  wanted: RoleGrant,
  objects: ObjectDef[],
  unitId?: string,
): GrantExcess | null {
  for (const permission of wanted.permissions)
    if (!holderHolds(holder, permission)) return { kind: 'permission', permission };
  const scopeKeys = new Set([
    '*',
    ...Object.keys(wanted.dataScopes),
    ...Object.keys(holder.dataScopes),
    ...objects.map((o) => o.apiName),
  ]);
  for (const object of scopeKeys) {
    const scope = wanted.dataScopes[object] ?? wanted.dataScopes['*'] ?? 'own';
    const held = dataScopeFor(holder, object);
    if (SCOPE_RANK[scope] > SCOPE_RANK[held]) return { kind: 'data_scope', object, scope };
    if (unitId && !withinReach(holder, held, scope, unitId))
      return { kind: 'data_scope', object, scope, outsideUnit: true };
  }
  // Field access resolves through defaults (masked personal data, full for `*`): compare what
  // each side ends up with, field by field, not the explicit settings alone.
  const asViewer = {
    ...holder,
    permissions: wanted.permissions,
    fieldAccess: wanted.fieldAccess,
    apiScopes: undefined,
  };
  for (const obj of objects)
    for (const f of obj.fields) {
      if (f.system) continue;
      const access = fieldAccess(asViewer, obj, f);
      if (ACCESS_RANK[access] > ACCESS_RANK[fieldAccess(holder, obj, f)])
        return { kind: 'field', object: obj.apiName, field: f.apiName, access };
    }
  return null;
}

function describe(e: GrantExcess, locale: Locale): string {
  switch (e.kind) {
    case 'permission':
      return e.permission;
    case 'data_scope':
      return `${e.object === '*' ? t(locale, 'grant.all_objects') : e.object}: ${t(locale, `grant.scope.${e.scope}`)}${
        e.outsideUnit ? t(locale, 'grant.outside_unit') : ''
      }`;
    case 'field':
      return `${e.object}.${e.field}: ${t(locale, `grant.access.${e.access}`)}`;
  }
}

export type GrantRefusal = 'grant.exceeds' | 'grant.role_exceeds' | 'grant.superior_user';

/** Throws 403 naming the first excess when `wanted` goes beyond what the caller holds. */
export async function assertWithinOwnGrant(
  tx: Tx,
  p: Principal,
  locale: Locale,
  wanted: RoleGrant,
  refusal: GrantRefusal = 'grant.exceeds',
  /** The unit of the user who holds or would hold `wanted`. */
  unitId?: string,
): Promise<void> {
  const meta = await loadMetadata(tx, p.tenantId, p.authzVersion);
  const excess = grantExcess(p, wanted, [...meta.objects.values()], unitId);
  if (excess)
    throw new AppError('forbidden', 403, {
      detailKey: refusal,
      params: { what: describe(excess, locale) },
      extra: { exceeds: excess },
    });
}

export const ownRolesRefusal = () => new AppError('forbidden', 403, { detailKey: 'grant.own_roles' });

/** A role's grant as stored: the JSON columns hold what the role routes validated on the way in. */
export const toGrant = (r: {
  permissions: string[];
  data_scopes: unknown;
  field_access: unknown;
}): RoleGrant => ({
  permissions: r.permissions,
  dataScopes: (r.data_scopes ?? {}) as RoleGrant['dataScopes'],
  fieldAccess: (r.field_access ?? {}) as RoleGrant['fieldAccess'],
});

/** What holding all of `roleIds` grants together. */
export async function rolesGrant(tx: Tx, tenantId: string, roleIds: string[]): Promise<RoleGrant> {
  if (!roleIds.length) return mergeRoles([]);
  const rows = await (tx as TypedTx)
    .selectFrom('roles')
    .select(['permissions', 'data_scopes', 'field_access'])
    .where('tenant_id', '=', tenantId)
    .where('id', 'in', roleIds)
    .execute();
  return mergeRoles(rows.map(toGrant));
}

/** What a user holds through their roles today. */
export async function userGrant(tx: Tx, tenantId: string, userId: string): Promise<RoleGrant> {
  const rows = await (tx as TypedTx)
    .selectFrom('user_roles as ur')
    .innerJoin('roles as r', (join) =>
      join.onRef('r.tenant_id', '=', 'ur.tenant_id').onRef('r.id', '=', 'ur.role_id'),
    )
    .select(['r.permissions', 'r.data_scopes', 'r.field_access'])
    .where('ur.tenant_id', '=', tenantId)
    .where('ur.user_id', '=', userId)
    .execute();
  return mergeRoles(rows.map(toGrant));
}

export async function holdsRole(tx: Tx, tenantId: string, userId: string, roleId: string): Promise<boolean> {
  const held = await (tx as TypedTx)
    .selectFrom('user_roles')
    .select('role_id')
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('role_id', '=', roleId)
    .executeTakeFirst();
  return held !== undefined;
}

import { z } from 'zod';
import { Id, Label, Locale, list, page, Timestamp } from './common.ts';

/**
 * Administration (apps/server/src/modules/admin): org units, users, roles, API keys and the
 * audit log, and the people picker everyone uses. Request and response schemas of its routes
 * and the names of its permissions.
 */

/** Permissions the admin routes check (`metadata` is checked by the record engine's /meta routes). */
export const ADMIN_PERMISSIONS = {
  units: 'admin:units',
  users: 'admin:users',
  roles: 'admin:roles',
  metadata: 'admin:metadata',
  audit: 'admin:audit',
  apiKeys: 'admin:apikeys',
  settings: 'admin:settings',
} as const;

/** How far a role's row rights reach, narrowest first. */
export const DATA_SCOPES = ['own', 'unit', 'unit_tree', 'tenant'] as const;
export const DataScope = z.enum(DATA_SCOPES);
export type DataScope = z.infer<typeof DataScope>;
/** What a role may do with a field, widest first. */
export const FIELD_ACCESS = ['full', 'masked', 'hidden'] as const;
export const FieldAccess = z.enum(FIELD_ACCESS);
export type FieldAccess = z.infer<typeof FieldAccess>;

export const UNIT_TYPES = ['hq', 'branch', 'region', 'dealer', 'store', 'team'] as const;
export const UnitType = z.enum(UNIT_TYPES);
export type UnitType = z.infer<typeof UnitType>;

/** `*`, or `<object or module>:<action>` with `*` wildcards. */
const PermissionKey = z.string().regex(/^(\*|[a-z_*]+:[a-z_*]+)$/);

// ------------------------------------------------------------------ units

export const UnitInput = z.object({
  name: z.string().trim().min(1).max(100),
  type: UnitType,
  parentId: z.uuid().nullable().optional(),
  code: z.string().trim().max(40).nullable().optional(),
  sort: z.number().int().optional(),
});
export type UnitInput = z.infer<typeof UnitInput>;
export const UnitPatch = UnitInput.partial();
export type UnitPatch = z.infer<typeof UnitPatch>;

export const Unit = z.object({
  id: Id,
  parentId: Id.nullable(),
  name: z.string(),
  type: UnitType,
  code: z.string().nullable(),
  /** Materialised path `/<root>/<child>/`. */
  path: z.string(),
  depth: z.number().int(),
  sort: z.number().int(),
  version: z.number().int(),
});
export type Unit = z.infer<typeof Unit>;
export const UnitWithCount = Unit.extend({ userCount: z.number().int() });
export type UnitWithCount = z.infer<typeof UnitWithCount>;
export const UnitList = list(UnitWithCount);

// ------------------------------------------------------------------ users

export const UserInput = z.object({
  login: z
    .string()
    .trim()
    .min(2)
    .max(60)
    .regex(/^[A-Za-z0-9._@-]+$/),
  name: z.string().trim().min(1).max(100),
  email: z.email().nullable().optional(),
  phone: z.string().max(30).nullable().optional(),
  unitId: z.uuid(),
  roleIds: z.array(z.uuid()).max(20).default([]),
  password: z.string().max(200).optional(),
  locale: Locale.optional(),
});
export type UserInput = z.input<typeof UserInput>;
export const UserPatch = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  email: z.email().nullable().optional(),
  phone: z.string().max(30).nullable().optional(),
  unitId: z.uuid().optional(),
  roleIds: z.array(z.uuid()).max(20).optional(),
  status: z.enum(['active', 'disabled']).optional(),
  locale: Locale.optional(),
});
export type UserPatch = z.infer<typeof UserPatch>;

export const User = z.object({
  id: Id,
  login: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  unitId: Id,
  /** Null only if the unit row is gone. */
  unitName: z.string().nullable(),
  status: z.enum(['active', 'disabled']),
  locale: Locale,
  lastLoginAt: Timestamp.nullable(),
  /** Sign-in back-off in force on the account, which an admin may clear. */
  lockedUntil: Timestamp.nullable(),
  roleIds: z.array(Id),
  version: z.number().int(),
});
export type User = z.infer<typeof User>;
export const UserList = list(User);
/** A new user; `password` is the generated one-time password, sent only when none was given. */
export const UserCreated = User.extend({ password: z.string().optional() });
export type UserCreated = z.infer<typeof UserCreated>;
/** The new one-time password, shown once. */
export const PasswordReset = z.object({ password: z.string() });
export type PasswordReset = z.infer<typeof PasswordReset>;

export const UserDirectoryQuery = z.object({
  q: z.string().max(60).optional(),
  /** Comma-separated user ids. */
  ids: z.string().max(2000).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
/** A colleague in the people picker: no contact data. */
export const Colleague = z.object({
  id: Id,
  name: z.string(),
  login: z.string(),
  unitId: Id,
  unitName: z.string(),
});
export type Colleague = z.infer<typeof Colleague>;
export const ColleagueList = list(Colleague);

// ------------------------------------------------------------------ roles

export const RoleInput = z.object({
  name: z.string().trim().min(1).max(60),
  description: z.string().max(500).nullable().optional(),
  permissions: z.array(PermissionKey).max(500),
  dataScopes: z.record(z.string().max(60), DataScope).default({}),
  fieldAccess: z.record(z.string().max(60), z.record(z.string().max(80), FieldAccess)).default({}),
});
export type RoleInput = z.input<typeof RoleInput>;
// zod 4 applies `.default()` inside `.partial()`: a PATCH without dataScopes/fieldAccess must not reset them to {}.
export const RolePatch = RoleInput.partial().extend({
  dataScopes: RoleInput.shape.dataScopes.unwrap().optional(),
  fieldAccess: RoleInput.shape.fieldAccess.unwrap().optional(),
});
export type RolePatch = z.infer<typeof RolePatch>;

export const Role = z.object({
  id: Id,
  name: z.string(),
  description: z.string().nullable(),
  permissions: z.array(z.string()),
  dataScopes: z.record(z.string(), DataScope),
  fieldAccess: z.record(z.string(), z.record(z.string(), FieldAccess)),
  isSystem: z.boolean(),
  version: z.number().int(),
  userCount: z.number().int(),
});
export type Role = z.infer<typeof Role>;
export const RoleList = list(Role);

/** What a role can be given: every object's actions and fields, admin and module permissions. */
export const PermissionCatalogue = z.object({
  objects: z.array(
    z.object({
      apiName: z.string(),
      label: Label,
      actions: z.array(z.string()),
      fields: z.array(
        z.object({
          apiName: z.string(),
          label: Label,
          classification: z.string(),
          personalKind: z.string().nullable(),
        }),
      ),
    }),
  ),
  admin: z.array(z.string()),
  modules: z.array(
    z.object({
      module: z.string(),
      label: Label,
      permissions: z.array(z.object({ key: z.string(), label: Label, description: Label.nullable() })),
    }),
  ),
  dataScopes: z.array(DataScope),
  fieldAccess: z.array(FieldAccess),
});
export type PermissionCatalogue = z.infer<typeof PermissionCatalogue>;

// ------------------------------------------------------------------ API keys

export const ApiKeyInput = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z.array(PermissionKey).min(1).max(100),
});
export type ApiKeyInput = z.infer<typeof ApiKeyInput>;

export const ApiKey = z.object({
  id: Id,
  name: z.string(),
  /** The first characters of the key, to recognise it. */
  prefix: z.string(),
  scopes: z.array(z.string()),
  /** Who made it (the key acts as them); null if that user row is gone. */
  userName: z.string().nullable(),
  createdAt: Timestamp,
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;
export const ApiKeyList = list(ApiKey);
/** A new key: `key` is in this response only. */
export const ApiKeyCreated = z.object({
  id: Id,
  key: z.string(),
  prefix: z.string(),
  name: z.string(),
  scopes: z.array(z.string()),
});
export type ApiKeyCreated = z.infer<typeof ApiKeyCreated>;

// ------------------------------------------------------------------ audit

export const AuditQuery = z.object({
  action: z.string().max(40).optional(),
  object: z.string().max(60).optional(),
  recordId: z.uuid().optional(),
  actorId: z.uuid().optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  cursor: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** One changed field; values as stored, masked as the viewer's field access requires. */
export const FieldChange = z.object({ field: z.string(), from: z.unknown(), to: z.unknown() });
export type FieldChange = z.infer<typeof FieldChange>;

export const AuditEntry = z.object({
  id: Id,
  at: Timestamp,
  action: z.string(),
  object: z.string().nullable(),
  recordId: z.string().nullable(),
  /** The record's name as the viewer sees it (scope and masking); null when they cannot see it. */
  recordName: z.string().nullable().optional(),
  actor: z.object({ id: Id.nullable(), name: z.string().nullable(), kind: z.string() }),
  changes: z.array(FieldChange).nullable(),
  /** Free-form details of the action. */
  meta: z.record(z.string(), z.unknown()).nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditPage = page(AuditEntry);
export type AuditPage = z.infer<typeof AuditPage>;

/** A reset link was mailed (or put in the outbox) to the user's email. */
export const ResetLinkSent = z.object({ to: z.string(), via: z.enum(['smtp', 'outbox']) });
export type ResetLinkSent = z.infer<typeof ResetLinkSent>;

/** Mail written instead of sent (no KEHU_SMTP_URL): admins read it to pass links on. */
export const OutboxMail = z.object({
  id: Id,
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  kind: z.string(),
  createdAt: Timestamp,
});
export type OutboxMail = z.infer<typeof OutboxMail>;
export const OutboxMailList = list(OutboxMail);

// ------------------------------------------------------------------ organisation settings

/** The tenant's own settings: its display name and the time zone its days and months are counted in. */
export const OrganisationSettings = z.object({
  name: z.string(),
  slug: z.string(),
  timeZone: z.string(),
});
export type OrganisationSettings = z.infer<typeof OrganisationSettings>;
export const OrganisationSettingsInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    /** An IANA time zone name (Asia/Shanghai, Europe/Berlin …). */
    timeZone: z.string().trim().min(1).max(64),
  })
  .partial();
export type OrganisationSettingsInput = z.infer<typeof OrganisationSettingsInput>;

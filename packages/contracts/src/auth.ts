import { z } from 'zod';
import { DataScope } from './admin.ts';
import { Id, Locale } from './common.ts';

/**
 * Sign-in and the signed-in user (apps/server/src/core/http/auth.routes.ts): the kernel's routes,
 * open to everyone who may sign in, so there are no permission names here.
 */

// ------------------------------------------------------------------ requests

export const SignIn = z.object({
  tenant: z.string().min(1).max(64),
  login: z.string().min(1).max(120),
  password: z.string().min(1).max(200),
});
export type SignIn = z.infer<typeof SignIn>;

export const ProfilePatch = z
  .object({ locale: Locale.optional(), name: z.string().min(1).max(100).optional() })
  .strict();
export type ProfilePatch = z.infer<typeof ProfilePatch>;

export const PasswordChange = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: z.string().min(1).max(200),
});
export type PasswordChange = z.infer<typeof PasswordChange>;

// ------------------------------------------------------------------ responses

export const SignedIn = z.object({ csrfToken: z.string(), tenantId: Id, userId: Id });
export type SignedIn = z.infer<typeof SignedIn>;

/** A unit the user may pick (their subtree, or every unit with tenant-wide scope). */
export const SelectableUnit = z.object({
  id: Id,
  name: z.string(),
  parentId: Id.nullable(),
  type: z.string(),
  /** Materialised path `/<root>/<child>/`. */
  path: z.string(),
  depth: z.number().int(),
});
export type SelectableUnit = z.infer<typeof SelectableUnit>;

export const Me = z.object({
  user: z.object({
    id: Id,
    login: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    locale: Locale,
    unitId: Id,
    unitName: z.string(),
  }),
  tenant: z.object({ id: Id, name: z.string(), slug: z.string() }),
  permissions: z.array(z.string()),
  /** Data scope per object (`*` for the default): own, unit, unit_tree or tenant. */
  dataScopes: z.record(z.string(), DataScope),
  units: z.array(SelectableUnit),
  /** Null for API keys, which send no CSRF token. */
  csrfToken: z.string().nullable(),
});
export type Me = z.infer<typeof Me>;

/** The new CSRF token of this session (its cookie was rotated); null when signed in by API key. */
export const PasswordChanged = z.object({ csrfToken: z.string().nullable() });
export type PasswordChanged = z.infer<typeof PasswordChanged>;

// ------------------------------------------------------------------ sign-in page

export const SignInMethodsQuery = z.object({ tenant: z.string().trim().max(64).default('') });
/** A way to sign in besides a password, contributed by a module (core/auth/sign-in-methods.ts). */
export const SignInMethodOut = z.object({
  key: z.string(),
  label: z.object({ 'zh-CN': z.string(), 'en-US': z.string() }),
  startUrl: z.string(),
  icon: z.string().nullable(),
});
export type SignInMethodOut = z.infer<typeof SignInMethodOut>;
export const SignInMethods = z.object({
  items: z.array(SignInMethodOut),
  /** True on a demo install: the login page shows the demo accounts. */
  demo: z.boolean(),
});
export type SignInMethods = z.infer<typeof SignInMethods>;

// ------------------------------------------------------------------ forgotten password

export const PasswordResetRequest = z.object({
  tenant: z.string().trim().min(1).max(64),
  login: z.string().trim().min(1).max(120),
});
export type PasswordResetRequest = z.infer<typeof PasswordResetRequest>;
export const PasswordResetConfirm = z.object({
  tenant: z.string().trim().min(1).max(64),
  token: z.string().min(1).max(200),
  newPassword: z.string().min(1).max(200),
});
export type PasswordResetConfirm = z.infer<typeof PasswordResetConfirm>;

import type { Tx } from '../db/tenant-scope.ts';
import type { Label } from '../i18n/locale.ts';

/**
 * Ways to sign in besides a password (企业微信扫码登录 …), contributed by modules to the
 * admin module's `sign-in-method` extension point. The login page asks
 * `GET /api/v1/auth/sign-in-methods?tenant=<slug>` and shows one button per method that the
 * tenant offers; the button goes to `startUrl`, where the contributing module runs its own
 * protocol (OAuth …) and ends by setting the session cookie like `/auth/login` does.
 */
export interface SignInMethod {
  /** Stable, kebab-case: `wecom`. */
  key: string;
  /** The button text. */
  label: Label;
  /** Where the button goes; `{tenant}` is replaced by the tenant's code (URL-encoded). */
  startUrl: string;
  /** An icon name the web knows (`wechat` …); optional. */
  icon?: string;
  /** Whether this tenant offers the method (e.g. has WeCom set up); always when absent. */
  enabledFor?: (tx: Tx, tenantId: string) => Promise<boolean>;
}

const methods = new Map<string, SignInMethod>();

export function registerSignInMethod(value: unknown): void {
  const m = value as SignInMethod;
  if (!m || typeof m.key !== 'string' || !/^[a-z][a-z0-9-]{0,39}$/.test(m.key))
    throw new Error(`sign-in-method: bad key ${String(m?.key)}`);
  if (!m.label?.['zh-CN'] || !m.label?.['en-US'])
    throw new Error(`sign-in-method ${m.key}: label needs zh-CN and en-US`);
  if (typeof m.startUrl !== 'string' || !m.startUrl.startsWith('/'))
    throw new Error(`sign-in-method ${m.key}: startUrl must be a path on this server`);
  if (methods.has(m.key)) throw new Error(`sign-in-method ${m.key} is contributed twice`);
  methods.set(m.key, m);
}

/** Removes a method (tests that contribute one of their own clean up with it). */
export function withdrawSignInMethod(key: string): void {
  methods.delete(key);
}

export const signInMethods = (): SignInMethod[] => [...methods.values()];

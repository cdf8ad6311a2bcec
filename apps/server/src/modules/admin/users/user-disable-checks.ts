import type { Tx } from '../../../core/db/tenant-scope.ts';
import type { Label } from '../../../core/i18n/locale.ts';

/**
 * The `user-disable-check` extension point: before or after an admin disables a user, modules say
 * what the user still holds that someone should take over (WeCom customers and groups …), so the
 * admin page can prompt "transfer now". Admin knows nothing of the contributors.
 */
export interface UserDisableFinding {
  /** What the user holds, in the admin's words ("12 位企业微信客户、3 个客户群"). */
  message: Label;
  /** Where the takeover happens, pre-filtered for this user (a web path). */
  link: string;
  /** Counts behind the message, for clients and tests. */
  counts: Record<string, number>;
}

export interface UserDisableCheck {
  /** Stable, kebab-case: `wecom-customers`. */
  key: string;
  check: (tx: Tx, tenantId: string, userId: string) => Promise<UserDisableFinding[]>;
}

const checks = new Map<string, UserDisableCheck>();

export function registerUserDisableCheck(value: unknown): void {
  const c = value as UserDisableCheck;
  if (!c || typeof c.key !== 'string' || !/^[a-z][a-z0-9-]{0,39}$/.test(c.key))
    throw new Error(`user-disable-check: bad key ${String(c?.key)}`);
  if (typeof c.check !== 'function') throw new Error(`user-disable-check ${c.key}: check must be a function`);
  if (checks.has(c.key)) throw new Error(`user-disable-check ${c.key} is contributed twice`);
  checks.set(c.key, c);
}

/** Every contributor's findings; nothing held → an empty list (no prompt). */
export async function userDisableFindings(tx: Tx, tenantId: string, userId: string) {
  const out: Array<UserDisableFinding & { key: string }> = [];
  for (const c of checks.values())
    for (const f of await c.check(tx, tenantId, userId)) out.push({ key: c.key, ...f });
  return out;
}

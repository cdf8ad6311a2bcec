import type { Principal } from '../../core/auth/principal.ts';

/**
 * An event family (`dms` for `dms.*`) whose events carry another module's data: the owning module
 * says who may point a webhook at it, so holding webhook rights alone never leaks that data.
 * Notifications does not import the owner: the owner contributes this (extension point
 * `webhook-event-family`).
 */
export interface WebhookEventFamily {
  family: string;
  /** The permission named in the 403 when `maySubscribe` refuses. */
  permission: string;
  maySubscribe: (p: Principal) => boolean;
}

const families = new Map<string, WebhookEventFamily>();
export const registerWebhookEventFamily = (f: WebhookEventFamily) => families.set(f.family, f);

/** The first guarded family among `kinds` the caller may not subscribe to, if any. */
export function refusedFamily(p: Principal, kinds: string[] | undefined): WebhookEventFamily | null {
  for (const k of kinds ?? []) {
    const f = families.get(k.split('.')[0]!);
    if (f && k.includes('.') && !f.maySubscribe(p)) return f;
  }
  return null;
}

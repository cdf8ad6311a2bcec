import type { Actor } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { chinaMonth } from '../../engine/home-cards.ts';
import type { HomeCard } from '../../engine/module.ts';

/**
 * "My day": one read of what needs the caller today, made of the home cards the modules declare
 * (each reads only through its module's scoped services, so row scope and field masking are
 * theirs). A card the caller has no right to is left out, not refused: the page shows what each
 * role can act on.
 */
export async function today(cards: HomeCard[], tx: Tx, principal: Principal, actor: Actor, locale: Locale) {
  const visible = cards.filter((c) => c.visible(principal));
  const period = chinaMonth();
  const out: Record<string, unknown> = {
    serverTime: new Date().toISOString(),
    period,
    role: visible.some((c) => c.audience === 'manager')
      ? 'manager'
      : visible.some((c) => c.audience === 'sales')
        ? 'sales'
        : 'other',
  };
  // One transaction, cards one after the other: they share the connection anyway.
  for (const c of visible) out[c.key] = await c.load({ tx, principal, actor, locale, period });
  return out;
}

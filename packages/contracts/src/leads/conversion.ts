// Zod-free on purpose: the web's convert wizard proposes the same name the server defaults to.

/** What a converted lead's opportunity is called, unless the person converting names it. */
export function opportunityNameFor(lead: Record<string, unknown>, locale: string): string {
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const who = text(lead.company) ?? text(lead.name) ?? '';
  const what = text(lead.product) ?? text(lead.campaign) ?? (locale === 'en-US' ? 'New deal' : '新商机');
  return `${who} · ${what}`.slice(0, 200);
}

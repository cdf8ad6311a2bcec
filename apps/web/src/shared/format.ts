/**
 * One currency format for the whole UI: the narrow symbol in every language, so an English page
 * shows ¥1,280.00 like the Chinese one (not CN¥ beside ¥ elsewhere).
 */
export function moneyFormat(lang: string, currency = 'CNY', maximumFractionDigits = 2): Intl.NumberFormat {
  return new Intl.NumberFormat(lang, {
    style: 'currency',
    currency,
    currencyDisplay: 'narrowSymbol',
    maximumFractionDigits,
  });
}

/** Money in major units (yuan) as the UI shows it everywhere. */
export const formatMoney = (major: number, lang: string, currency = 'CNY') =>
  moneyFormat(lang, currency).format(major);

export function formatCurrency(v: unknown, lang: string): string {
  if (!v || typeof v !== 'object') return v == null ? '' : String(v);
  const { amount, currency } = v as { amount?: number; currency?: string };
  if (amount == null) return '';
  try {
    return moneyFormat(lang, currency || 'CNY').format(amount / 100);
  } catch {
    return `${(amount / 100).toFixed(2)} ${currency ?? ''}`;
  }
}

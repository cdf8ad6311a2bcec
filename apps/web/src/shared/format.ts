export function formatCurrency(v: unknown, lang: string): string {
  if (!v || typeof v !== 'object') return v == null ? '' : String(v);
  const { amount, currency } = v as { amount?: number; currency?: string };
  if (amount == null) return '';
  try {
    return new Intl.NumberFormat(lang, { style: 'currency', currency: currency || 'CNY' }).format(
      amount / 100,
    );
  } catch {
    return `${(amount / 100).toFixed(2)} ${currency ?? ''}`;
  }
}

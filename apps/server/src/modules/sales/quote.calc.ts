/**
 * Quote arithmetic in integer minor units (fen). Quantities carry up to 4 decimals, discount
 * and tax rates up to 2; every product of a rate is rounded half-up per line (the rule Chinese
 * invoices use), and header totals are plain sums of the rounded line values so the quote, the
 * lines and a VAT invoice all add up to the same fen.
 */
export interface LineInput {
  quantity: number;
  /** Price per unit before the line discount (the tier price unless overridden). */
  unitPrice: number;
  /** Price per unit from the catalogue for this quantity, for the effective discount. */
  listUnitPrice: number;
  discountPercent: number;
  taxRate: number;
}

export interface LineAmounts {
  gross: number;
  discount: number;
  net: number;
  tax: number;
  total: number;
  /** What the list price would have been, before any discount or price override. */
  list: number;
}

export interface QuoteTotals {
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
  /** Discount against list prices, in percent with 2 decimals (price overrides count as discount). */
  discountPercent: number;
}

const scaled = (n: number, decimals: number): bigint => {
  const s = Math.round(n * 10 ** decimals);
  if (!Number.isSafeInteger(s) || Math.abs(n * 10 ** decimals - s) > 1e-6)
    throw new RangeError(`too many decimals: ${n}`);
  return BigInt(s);
};

/** a / b rounded half away from zero, for a ≥ 0 and b > 0 (all amounts here are non-negative). */
export function divHalfUp(a: bigint, b: bigint): bigint {
  return (a * 2n + b) / (b * 2n);
}

export function lineAmounts(l: LineInput): LineAmounts {
  const q = scaled(l.quantity, 4); // quantity × 10⁴
  const gross = divHalfUp(q * BigInt(l.unitPrice), 10_000n);
  const list = divHalfUp(q * BigInt(l.listUnitPrice), 10_000n);
  const discount = divHalfUp(gross * scaled(l.discountPercent, 2), 10_000n);
  const net = gross - discount;
  const tax = divHalfUp(net * scaled(l.taxRate, 2), 10_000n);
  return {
    gross: Number(gross),
    discount: Number(discount),
    net: Number(net),
    tax: Number(tax),
    total: Number(net + tax),
    list: Number(list),
  };
}

export function quoteTotals(lines: LineAmounts[]): QuoteTotals {
  let subtotal = 0;
  let discountTotal = 0;
  let taxTotal = 0;
  let list = 0;
  let net = 0;
  for (const l of lines) {
    subtotal += l.gross;
    discountTotal += l.discount;
    taxTotal += l.tax;
    list += l.list;
    net += l.net;
  }
  const discountPercent =
    list > 0 && net < list ? Number(divHalfUp(BigInt(list - net) * 10_000n, BigInt(list))) / 100 : 0;
  return { subtotal, discountTotal, taxTotal, total: net + taxTotal, discountPercent };
}

export interface Tier {
  minQty: number;
  unitPrice: number;
}

/** The highest tier whose minimum the quantity reaches; null below every tier. */
export function tierPrice(tiers: Tier[], quantity: number): number | null {
  let best: Tier | null = null;
  for (const t of tiers) if (quantity >= t.minQty && (!best || t.minQty > best.minQty)) best = t;
  return best?.unitPrice ?? null;
}

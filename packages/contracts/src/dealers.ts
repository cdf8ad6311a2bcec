import { z } from 'zod';
import { Id, list, Timestamp } from './common.ts';

/**
 * Dealer portal and ordering (DMS, issue 14, R9.1/R9.4): the catalogue at the dealer's price
 * policy, orders with checks before submit (credit, HQ stock, minimum quantity, promotion
 * thresholds, expense-pool deduction), approval, shipping and receipt into channel stock, and the
 * monthly statement 对账单 the dealer confirms or disputes line by line. Money is in fen (integer).
 */
export const DEALER_PERMISSIONS = {
  /** See the catalogue, orders, accounts and statements of one's own dealers. */
  read: 'dealers:read',
  /** A dealer's own user: create and submit orders, receive goods, confirm / dispute statements. */
  order: 'dealers:order',
  /** HQ: price policies, promotions, stock and minimum quantities, credit limits, payments. */
  manage: 'dealers:manage',
  /** HQ: ship approved orders. */
  ship: 'dealers:ship',
  /** HQ: issue statements and resolve disputes. */
  statements: 'dealers:statements',
} as const;

export const ORDER_STATUSES = [
  'draft',
  'pending',
  'approved',
  'shipped',
  'received',
  'rejected',
  'cancelled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
export const PROMOTION_KINDS = ['full_reduction', 'gift', 'percent_off', 'special_price'] as const;
export const ENTRY_KINDS = [
  'payment',
  'order',
  'order_reversal',
  'pool_deduction',
  'rebate',
  'credit',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];
export const LINE_STATUSES = ['pending', 'confirmed', 'disputed', 'resolved'] as const;

const Fen = z.number().int().min(0).max(100_000_000_000);
const PositiveFen = z.number().int().min(1).max(100_000_000_000);
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Qty = z.number().int().min(1).max(1_000_000);

export const CatalogueItem = z.object({
  productId: Id,
  name: z.string(),
  code: z.string().nullable(),
  category: z.string().nullable(),
  uom: z.string().nullable(),
  listPrice: z.number().nullable(),
  /** The dealer's price today under its policy (list × discount, or the policy's fixed price). */
  price: z.number().nullable(),
  policyName: z.string().nullable(),
  minOrderQty: z.number(),
  available: z.number(),
});
export type CatalogueItem = z.infer<typeof CatalogueItem>;
export const CatalogueList = list(CatalogueItem);
export const DealerQuery = z.object({ dealerUnitId: Id.uuid().optional() });

export const PricePolicyInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    /** One dealer, or every dealer of a tier (exactly one of the two). */
    dealerUnitId: Id.uuid().optional(),
    tier: z.string().trim().min(1).max(40).optional(),
    /** Percent of list price paid, e.g. 85 = 15 % off; products without a fixed price use it. */
    discountPercent: z.number().min(1).max(100).optional(),
    validFrom: Day,
    validTo: Day.optional(),
    lines: z
      .array(z.object({ productId: Id.uuid(), price: PositiveFen }).strict())
      .max(500)
      .default([]),
  })
  .strict();
export type PricePolicyInput = z.input<typeof PricePolicyInput>;
export const PricePolicy = z.object({
  id: Id,
  name: z.string(),
  dealerUnitId: Id.nullable(),
  dealerName: z.string().nullable(),
  tier: z.string().nullable(),
  discountPercent: z.number().nullable(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  lines: z.array(z.object({ productId: Id, price: z.number() })),
  createdAt: Timestamp,
});
export type PricePolicy = z.infer<typeof PricePolicy>;
export const PricePolicyList = list(PricePolicy);

export const PromotionInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    /**
     * 满减: order amount ≥ threshold → reduction off; 满折: amount ≥ threshold → pay `percent` % of it;
     * 买赠: buy ≥ threshold of productId → giftQty of giftProductId; 特价: ≥ threshold units of
     * productId at `specialPrice` each.
     */
    kind: z.enum(PROMOTION_KINDS),
    threshold: PositiveFen,
    reduction: PositiveFen.optional(),
    percent: z.number().gt(0).lt(100).optional(),
    specialPrice: PositiveFen.optional(),
    productId: Id.uuid().optional(),
    giftProductId: Id.uuid().optional(),
    giftQty: Qty.optional(),
    /** Null: every dealer. */
    dealerUnitId: Id.uuid().optional(),
    startsOn: Day,
    endsOn: Day,
  })
  .strict();
export type PromotionInput = z.input<typeof PromotionInput>;
export const Promotion = z.object({
  id: Id,
  name: z.string(),
  kind: z.enum(PROMOTION_KINDS),
  threshold: z.number(),
  reduction: z.number().nullable(),
  percent: z.number().nullable(),
  specialPrice: z.number().nullable(),
  productId: Id.nullable(),
  giftProductId: Id.nullable(),
  giftQty: z.number().nullable(),
  dealerUnitId: Id.nullable(),
  startsOn: z.string(),
  endsOn: z.string(),
});
export type Promotion = z.infer<typeof Promotion>;
export const PromotionList = list(Promotion);

export const ProductSettingsInput = z
  .object({
    minOrderQty: z.number().int().min(1).max(1_000_000).optional(),
    /** HQ stock on hand (a stock count); what approved orders reserve stays reserved. */
    onHand: z.number().int().min(0).max(1_000_000_000).optional(),
  })
  .strict();
export const ProductSettings = z.object({
  productId: Id,
  minOrderQty: z.number(),
  onHand: z.number(),
  reserved: z.number(),
  available: z.number(),
});

export const Account = z.object({
  dealerUnitId: Id,
  dealerName: z.string().nullable(),
  tier: z.string().nullable(),
  creditLimit: z.number(),
  /** payments − orders + credits (negative = owed, down to −creditLimit). */
  balance: z.number(),
  /** What the dealer can still order for: balance + creditLimit. */
  available: z.number(),
  poolBalance: z.number(),
});
export type Account = z.infer<typeof Account>;
export const AccountList = list(Account);
export const AccountInput = z
  .object({
    creditLimit: Fen.optional(),
    tier: z.string().trim().min(1).max(40).nullable().optional(),
  })
  .strict();
export const PaymentInput = z
  .object({
    kind: z.enum(['payment', 'rebate', 'credit']).default('payment'),
    amount: PositiveFen,
    ref: z.string().trim().min(1).max(200),
    /** A retried payment with the same key is the same payment. */
    idempotencyKey: z.string().trim().min(1).max(100).optional(),
  })
  .strict();

export const OrderLineInput = z.object({ productId: Id.uuid(), quantity: Qty }).strict();
export const OrderInput = z
  .object({
    lines: z.array(OrderLineInput).min(1).max(200),
    promotionIds: z.array(Id.uuid()).max(10).default([]),
    /** Fen of the dealer's expense pool to use on this order. */
    poolDeduction: Fen.default(0),
    note: z.string().trim().max(500).optional(),
  })
  .strict();
export type OrderInput = z.input<typeof OrderInput>;
export const OrderLine = z.object({
  lineNo: z.number(),
  productId: Id,
  productName: z.string(),
  quantity: z.number(),
  unitPrice: z.number(),
  amount: z.number(),
  isGift: z.boolean(),
});
export const Order = z.object({
  id: Id,
  orderNo: z.string(),
  dealerUnitId: Id,
  dealerName: z.string().nullable(),
  status: z.enum(ORDER_STATUSES),
  subtotal: z.number(),
  discount: z.number(),
  poolDeduction: z.number(),
  /** What the dealer's account is charged: subtotal − discount − poolDeduction. */
  total: z.number(),
  promotionIds: z.array(Id),
  note: z.string().nullable(),
  lines: z.array(OrderLine),
  createdBy: z.object({ id: Id, name: z.string().nullable() }),
  submittedAt: Timestamp.nullable(),
  version: z.number(),
  createdAt: Timestamp,
});
export type Order = z.infer<typeof Order>;
export const OrderList = list(Order);
export const OrderQuery = z.object({
  status: z.enum(ORDER_STATUSES).optional(),
  dealerUnitId: Id.uuid().optional(),
});
export const VersionInput = z.object({ version: z.number().int().optional() }).strict();

export const ChannelStockItem = z.object({
  unitId: Id,
  unitName: z.string().nullable(),
  productId: Id,
  productName: z.string().nullable(),
  quantity: z.number(),
  /** 'reported': the last count the dealer gave; 'derived': counted on from orders received and sell-out. */
  source: z.enum(['reported', 'derived']),
  reportedAt: Timestamp.nullable(),
  soldOut: z.number(),
  /** The product's low-stock threshold (null: none) and whether the stock is below it. */
  minQty: z.number().nullable(),
  low: z.boolean(),
});
export type ChannelStockItem = z.infer<typeof ChannelStockItem>;
export const ChannelStock = list(ChannelStockItem);
export const ChannelStockQuery = z.object({
  dealerUnitId: Id.uuid().optional(),
  /** Only what is below its threshold. */
  low: z.enum(['true', 'false']).optional(),
});
const StockLine = z
  .object({ productId: Id.uuid(), quantity: z.number().int().min(0).max(1_000_000_000) })
  .strict();
export const StockReportInput = z
  .object({
    /** The dealer itself (default: the caller's dealer) or a store below it. */
    unitId: Id.uuid().optional(),
    /** Stock counted now: sets the figure. */
    counts: z.array(StockLine).max(500).default([]),
    /** Sold out of the channel since the last report: lowers the figure. */
    sellOut: z.array(StockLine).max(500).default([]),
    /** A retried report with the same key is the same report. */
    idempotencyKey: z.string().trim().min(1).max(100).optional(),
  })
  .strict();
export type StockReportInput = z.input<typeof StockReportInput>;
export const HqStockItem = z.object({
  productId: Id,
  name: z.string(),
  code: z.string().nullable(),
  onHand: z.number(),
  reserved: z.number(),
  available: z.number(),
  minOrderQty: z.number(),
  /** Channel low-stock threshold of the product (null: none). */
  minQty: z.number().nullable(),
});
export const HqStockList = list(HqStockItem);
export const ThresholdInput = z
  .object({ minQty: z.number().int().min(0).max(1_000_000_000).nullable() })
  .strict();
export const ThresholdOut = z.object({ productId: Id, minQty: z.number().nullable() });

export const REBATE_BASES = ['volume', 'product'] as const;
export const RebateRuleInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    /** volume: period sell-in ≥ threshold → percent % of it; product: perUnit fen per unit of productId received. */
    basis: z.enum(REBATE_BASES),
    periodKind: z.enum(['month', 'quarter']),
    threshold: Fen.default(0),
    percent: z.number().gt(0).max(100).optional(),
    productId: Id.uuid().optional(),
    perUnit: PositiveFen.optional(),
    /** Null: every dealer. */
    dealerUnitId: Id.uuid().optional(),
    startsOn: Day,
    endsOn: Day.optional(),
  })
  .strict();
export type RebateRuleInput = z.input<typeof RebateRuleInput>;
export const RebateRule = z.object({
  id: Id,
  name: z.string(),
  basis: z.enum(REBATE_BASES),
  periodKind: z.enum(['month', 'quarter']),
  threshold: z.number(),
  percent: z.number().nullable(),
  productId: Id.nullable(),
  perUnit: z.number().nullable(),
  dealerUnitId: Id.nullable(),
  startsOn: z.string(),
  endsOn: z.string().nullable(),
  active: z.boolean(),
  version: z.number(),
});
export type RebateRule = z.infer<typeof RebateRule>;
export const RebateRuleList = list(RebateRule);
export const RebateAccrual = z.object({
  id: Id,
  dealerUnitId: Id,
  dealerName: z.string().nullable(),
  ruleId: Id,
  ruleName: z.string(),
  period: z.string(),
  /** What the rule measured: sell-in in fen (volume) or units (product). */
  base: z.number(),
  amount: z.number(),
  status: z.enum(['accrued', 'settled']),
  settledAs: z.enum(['credit', 'goods']).nullable(),
  settledOrderId: Id.nullable(),
  settledAt: Timestamp.nullable(),
  version: z.number(),
});
export type RebateAccrual = z.infer<typeof RebateAccrual>;
export const RebateAccrualList = list(RebateAccrual);
export const AccrueInput = z
  .object({
    period: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/)
      .optional(),
  })
  .strict();
export const AccrueResult = z.object({ accruals: z.number(), amount: z.number() });
export const SettleInput = z
  .object({
    version: z.number().int(),
    as: z.enum(['credit', 'goods']),
    /** Goods: the product given at zero price, and how many. */
    productId: Id.uuid().optional(),
    quantity: Qty.optional(),
  })
  .strict();
export const OrderEditInput = OrderInput.extend({ version: z.number().int() }).strict();

export const StatementInput = z
  .object({
    dealerUnitId: Id.uuid(),
    period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
    /** Issue again with the latest entries: only while the dealer has decided none of its lines. */
    reissue: z.boolean().optional(),
  })
  .strict();
export const StatementLine = z.object({
  lineNo: z.number(),
  kind: z.enum(ENTRY_KINDS),
  ref: z.string(),
  /** Signed: + raises the dealer's balance (payment, rebate, deduction), − lowers it (order). */
  amount: z.number(),
  at: Timestamp,
  status: z.enum(LINE_STATUSES),
  disputeReason: z.string().nullable(),
  resolution: z.string().nullable(),
});
export const Statement = z.object({
  id: Id,
  dealerUnitId: Id,
  dealerName: z.string().nullable(),
  period: z.string(),
  opening: z.number(),
  orders: z.number(),
  payments: z.number(),
  rebates: z.number(),
  deductions: z.number(),
  credits: z.number(),
  closing: z.number(),
  status: z.enum(['open', 'confirmed', 'disputed']),
  lines: z.array(StatementLine),
  createdAt: Timestamp,
  /** Bumped on every re-issue and every decision: decisions send the version they were made on (409 when stale). */
  version: z.number().int(),
});
export type Statement = z.infer<typeof Statement>;
export const StatementList = list(Statement.omit({ lines: true }));
export const LineParams = z.object({ id: Id.uuid(), lineNo: z.coerce.number().int().min(1).max(1_000_000) });
/** Confirm one line or every pending line: the statement version the dealer saw. */
export const ConfirmInput = z.object({ version: z.number().int() }).strict();
export const DisputeInput = z
  .object({ version: z.number().int(), reason: z.string().trim().min(1).max(500) })
  .strict();
export const ResolveInput = z
  .object({ version: z.number().int(), resolution: z.string().trim().min(1).max(500) })
  .strict();
export const ExportQuery = z.object({ format: z.enum(['xlsx', 'pdf']).default('xlsx') });

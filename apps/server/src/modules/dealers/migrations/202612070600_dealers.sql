-- Dealer portal and ordering (DMS, issue 14): price policies, promotions, HQ stock per product,
-- dealer accounts with an append-only ledger, orders, channel stock and monthly statements.
-- Money in integer fen. Every debit of stock or credit is one conditional UPDATE, so two racing
-- submits cannot both take the last unit or the last of the credit.

-- Per catalogue product (sales' products): HQ stock and the minimum order quantity.
CREATE TABLE dms_products (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  product_id uuid NOT NULL,
  min_order_qty integer NOT NULL DEFAULT 1 CHECK (min_order_qty >= 1),
  on_hand bigint NOT NULL DEFAULT 0 CHECK (on_hand >= 0),
  reserved bigint NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, product_id),
  CHECK (reserved <= on_hand)
);

CREATE TABLE dms_price_policies (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  dealer_unit_id uuid,
  tier text,
  discount_percent numeric(5, 2),
  valid_from date NOT NULL,
  valid_to date,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK ((dealer_unit_id IS NULL) <> (tier IS NULL)),
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX dms_price_policies_dealer ON dms_price_policies (tenant_id, dealer_unit_id);
CREATE TABLE dms_price_policy_lines (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  policy_id uuid NOT NULL,
  product_id uuid NOT NULL,
  price bigint NOT NULL CHECK (price > 0),
  PRIMARY KEY (tenant_id, policy_id, product_id),
  FOREIGN KEY (tenant_id, policy_id) REFERENCES dms_price_policies (tenant_id, id)
);

CREATE TABLE dms_promotions (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('full_reduction', 'gift')),
  threshold bigint NOT NULL CHECK (threshold > 0),
  reduction bigint CHECK (reduction > 0),
  product_id uuid,
  gift_product_id uuid,
  gift_qty integer CHECK (gift_qty > 0),
  dealer_unit_id uuid,
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (ends_on >= starts_on),
  CHECK (kind <> 'full_reduction' OR reduction IS NOT NULL),
  CHECK (kind <> 'gift' OR (product_id IS NOT NULL AND gift_product_id IS NOT NULL AND gift_qty IS NOT NULL))
);

-- balance = payments − orders + credits (rebates, deductions, reversals); it may go down to −credit_limit.
CREATE TABLE dms_accounts (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  dealer_unit_id uuid NOT NULL,
  tier text,
  credit_limit bigint NOT NULL DEFAULT 0 CHECK (credit_limit >= 0),
  balance bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, dealer_unit_id),
  CHECK (balance >= -credit_limit)
);
-- Append-only: the statement is built from it. amount is signed (− lowers the balance).
CREATE TABLE dms_account_entries (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  dealer_unit_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('payment', 'order', 'order_reversal', 'pool_deduction', 'rebate', 'credit')),
  amount bigint NOT NULL CHECK (amount <> 0),
  ref text NOT NULL,
  order_id uuid,
  idempotency_key text,
  created_by uuid,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX dms_account_entries_dealer ON dms_account_entries (tenant_id, dealer_unit_id, at);
CREATE UNIQUE INDEX dms_account_entries_key ON dms_account_entries (tenant_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

CREATE TABLE dms_orders (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  order_no text NOT NULL,
  dealer_unit_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'pending', 'approved', 'shipped', 'received', 'rejected', 'cancelled')),
  subtotal bigint NOT NULL DEFAULT 0,
  discount bigint NOT NULL DEFAULT 0,
  pool_deduction bigint NOT NULL DEFAULT 0 CHECK (pool_deduction >= 0),
  total bigint NOT NULL DEFAULT 0,
  promotion_ids uuid[] NOT NULL DEFAULT '{}',
  note text,
  created_by uuid NOT NULL,
  -- How often it was submitted: keys the expense-pool deduction of each submission.
  submissions integer NOT NULL DEFAULT 0,
  submitted_at timestamptz,
  shipped_at timestamptz,
  received_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX dms_orders_dealer ON dms_orders (tenant_id, dealer_unit_id, status, created_at);
CREATE TABLE dms_order_lines (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  order_id uuid NOT NULL,
  line_no integer NOT NULL,
  product_id uuid NOT NULL,
  product_name text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  unit_price bigint NOT NULL DEFAULT 0,
  amount bigint NOT NULL DEFAULT 0,
  is_gift boolean NOT NULL DEFAULT false,
  promotion_id uuid,
  PRIMARY KEY (tenant_id, order_id, line_no),
  FOREIGN KEY (tenant_id, order_id) REFERENCES dms_orders (tenant_id, id)
);

-- Dealer stock by product, raised by received orders.
CREATE TABLE dms_channel_stock (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  unit_id uuid NOT NULL,
  product_id uuid NOT NULL,
  quantity bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, unit_id, product_id)
);

CREATE TABLE dms_statements (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  dealer_unit_id uuid NOT NULL,
  period text NOT NULL CHECK (period ~ '^\d{4}-(0[1-9]|1[0-2])$'),
  opening bigint NOT NULL,
  orders bigint NOT NULL,
  payments bigint NOT NULL,
  rebates bigint NOT NULL,
  deductions bigint NOT NULL,
  credits bigint NOT NULL,
  closing bigint NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (closing = opening - orders + payments + rebates + deductions + credits)
);
CREATE UNIQUE INDEX dms_statements_period ON dms_statements (tenant_id, dealer_unit_id, period);
CREATE TABLE dms_statement_lines (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  statement_id uuid NOT NULL,
  line_no integer NOT NULL,
  entry_id uuid NOT NULL,
  kind text NOT NULL,
  ref text NOT NULL,
  amount bigint NOT NULL,
  at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'disputed', 'resolved')),
  dispute_reason text,
  resolution text,
  decided_by uuid,
  decided_at timestamptz,
  PRIMARY KEY (tenant_id, statement_id, line_no),
  FOREIGN KEY (tenant_id, statement_id) REFERENCES dms_statements (tenant_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['dms_products', 'dms_price_policies', 'dms_price_policy_lines', 'dms_promotions',
    'dms_accounts', 'dms_account_entries', 'dms_orders', 'dms_order_lines', 'dms_channel_stock', 'dms_statements',
    'dms_statement_lines'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE ON dms_products, dms_price_policies, dms_price_policy_lines, dms_promotions,
  dms_accounts, dms_orders, dms_order_lines, dms_channel_stock, dms_statements, dms_statement_lines TO kehu_app;
GRANT DELETE ON dms_order_lines TO kehu_app;
-- The ledger is append-only for the application role.
GRANT SELECT, INSERT ON dms_account_entries TO kehu_app;

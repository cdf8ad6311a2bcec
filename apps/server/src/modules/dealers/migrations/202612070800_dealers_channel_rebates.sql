-- Dealer portal completeness (issue 14): 满折 / 特价 promotions, channel inventory (reported counts,
-- sell-out, per-product low-stock thresholds, idempotent alerts) and rebates 返利 (rules, accruals
-- per dealer / period / rule, settled as account credit or as goods). Money in integer fen.

-- 满折: order amount ≥ threshold → pay percent % of it; 特价: product at special_price when ≥ threshold units.
ALTER TABLE dms_promotions DROP CONSTRAINT dms_promotions_kind_check;
ALTER TABLE dms_promotions ADD CONSTRAINT dms_promotions_kind_check
  CHECK (kind IN ('full_reduction', 'gift', 'percent_off', 'special_price'));
ALTER TABLE dms_promotions ADD COLUMN percent numeric(5, 2) CHECK (percent > 0 AND percent < 100);
ALTER TABLE dms_promotions ADD COLUMN special_price bigint CHECK (special_price > 0);
ALTER TABLE dms_promotions ADD CONSTRAINT dms_promotions_percent_off
  CHECK (kind <> 'percent_off' OR percent IS NOT NULL);
ALTER TABLE dms_promotions ADD CONSTRAINT dms_promotions_special_price
  CHECK (kind <> 'special_price' OR (product_id IS NOT NULL AND special_price IS NOT NULL));

-- Channel stock: where the figure comes from. A count the dealer reports sets it ('reported');
-- received orders raise it and sell-out lowers it ('derived') until the next count.
ALTER TABLE dms_channel_stock ADD COLUMN source text NOT NULL DEFAULT 'derived' CHECK (source IN ('reported', 'derived'));
ALTER TABLE dms_channel_stock ADD COLUMN reported_at timestamptz;
ALTER TABLE dms_channel_stock ADD COLUMN sold_out bigint NOT NULL DEFAULT 0;

-- One stock report (a count and / or sell-out) of a dealer or of a store below it; idempotent per key.
CREATE TABLE dms_stock_reports (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  unit_id uuid NOT NULL,
  idempotency_key text,
  lines jsonb NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX dms_stock_reports_key ON dms_stock_reports (tenant_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- Below min_qty a dealer's (or store's) stock of the product raises a low-stock alert.
CREATE TABLE dms_stock_thresholds (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  product_id uuid NOT NULL,
  min_qty bigint NOT NULL CHECK (min_qty >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, product_id)
);

-- One open alert per unit and product: the job notifies once, and again only after the stock
-- went back above the threshold (cleared_at set) and fell below it again.
CREATE TABLE dms_stock_alerts (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  unit_id uuid NOT NULL,
  product_id uuid NOT NULL,
  quantity bigint NOT NULL,
  min_qty bigint NOT NULL,
  raised_at timestamptz NOT NULL DEFAULT now(),
  cleared_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX dms_stock_alerts_open ON dms_stock_alerts (tenant_id, unit_id, product_id)
  WHERE cleared_at IS NULL;

-- 返利 rules: volume (period sell-in ≥ threshold → percent % of it) or product (per unit received).
CREATE TABLE dms_rebate_rules (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  basis text NOT NULL CHECK (basis IN ('volume', 'product')),
  period_kind text NOT NULL CHECK (period_kind IN ('month', 'quarter')),
  threshold bigint NOT NULL DEFAULT 0 CHECK (threshold >= 0),
  percent numeric(5, 2) CHECK (percent > 0 AND percent <= 100),
  product_id uuid,
  per_unit bigint CHECK (per_unit > 0),
  dealer_unit_id uuid,
  starts_on date NOT NULL,
  ends_on date,
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (basis <> 'volume' OR percent IS NOT NULL),
  CHECK (basis <> 'product' OR (product_id IS NOT NULL AND per_unit IS NOT NULL)),
  CHECK (ends_on IS NULL OR ends_on >= starts_on)
);

-- What a rule earned a dealer in a period (from received orders). Recomputed while 'accrued';
-- frozen once settled (as account credit, or as goods on a zero-price order).
CREATE TABLE dms_rebate_accruals (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  dealer_unit_id uuid NOT NULL,
  rule_id uuid NOT NULL,
  period text NOT NULL CHECK (period ~ '^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$'),
  base bigint NOT NULL,
  amount bigint NOT NULL CHECK (amount >= 0),
  status text NOT NULL DEFAULT 'accrued' CHECK (status IN ('accrued', 'settled')),
  settled_as text CHECK (settled_as IN ('credit', 'goods')),
  settled_order_id uuid,
  settled_by uuid,
  settled_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, rule_id) REFERENCES dms_rebate_rules (tenant_id, id)
);
CREATE UNIQUE INDEX dms_rebate_accruals_key ON dms_rebate_accruals (tenant_id, dealer_unit_id, rule_id, period);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['dms_stock_reports', 'dms_stock_thresholds', 'dms_stock_alerts', 'dms_rebate_rules',
    'dms_rebate_accruals'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT ON dms_stock_reports TO kehu_app;
GRANT SELECT, INSERT, UPDATE ON dms_stock_thresholds, dms_stock_alerts, dms_rebate_rules, dms_rebate_accruals TO kehu_app;
GRANT DELETE ON dms_stock_thresholds TO kehu_app;
GRANT DELETE ON dms_statement_lines TO kehu_app;

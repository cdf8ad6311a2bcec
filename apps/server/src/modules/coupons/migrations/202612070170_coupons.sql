-- 优惠券 (issue 12): templates, one-time coupons issued to CDP profiles, bulk issues to a segment.
-- Money in minor units (分). A coupon is redeemed by one conditional UPDATE … WHERE redeemed_at IS NULL.

CREATE TABLE coupon_templates (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('amount_off', 'percent_off', 'exchange', 'gift')),
  description text,
  threshold_minor bigint,
  amount_minor bigint,
  percent_off integer CHECK (percent_off BETWEEN 1 AND 99),
  max_discount_minor bigint,
  product_id uuid,
  gift_text text,
  validity text NOT NULL CHECK (validity IN ('fixed', 'relative')),
  valid_from timestamptz,
  valid_to timestamptz,
  valid_days integer,
  per_profile_limit integer NOT NULL DEFAULT 1,
  total_stock integer,
  issued_count integer NOT NULL DEFAULT 0,
  return_on_refund boolean NOT NULL DEFAULT false,
  points_cost integer,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
  unit_id uuid NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (total_stock IS NULL OR issued_count <= total_stock)
);
CREATE INDEX coupon_templates_unit ON coupon_templates (tenant_id, unit_id);

CREATE TABLE coupons (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  template_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  -- 12 characters of an alphabet without 0/O, 1/I/L: typed by people, unguessable (~59 bits)
  code text NOT NULL,
  idempotency_key text NOT NULL,
  source_kind text NOT NULL,
  source_id text NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  valid_from timestamptz,
  expires_at timestamptz,
  expired_at timestamptz,
  redeemed_at timestamptz,
  redeemed_by uuid,
  redeemed_unit_id uuid,
  redeemed_channel text CHECK (redeemed_channel IN ('pos', 'api', 'order')),
  order_id uuid,
  order_amount_minor bigint,
  discount_minor bigint,
  voided_at timestamptz,
  void_reason text,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, template_id) REFERENCES coupon_templates (tenant_id, id)
);
CREATE UNIQUE INDEX coupons_code ON coupons (tenant_id, code);
CREATE UNIQUE INDEX coupons_idempotency ON coupons (tenant_id, idempotency_key);
CREATE INDEX coupons_template ON coupons (tenant_id, template_id, issued_at);
CREATE INDEX coupons_profile ON coupons (tenant_id, profile_id, template_id);
CREATE INDEX coupons_expiring ON coupons (tenant_id, expires_at)
  WHERE redeemed_at IS NULL AND voided_at IS NULL AND expired_at IS NULL;

-- Every redemption and reversal, so stats stay true after a refund returns a coupon.
CREATE TABLE coupon_redemptions (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  coupon_id uuid NOT NULL,
  template_id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  by_user uuid,
  unit_id uuid,
  channel text NOT NULL,
  order_id uuid,
  order_amount_minor bigint,
  discount_minor bigint NOT NULL DEFAULT 0,
  reversed_at timestamptz,
  reverse_reason text,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX coupon_redemptions_template ON coupon_redemptions (tenant_id, template_id, at);
CREATE INDEX coupon_redemptions_coupon ON coupon_redemptions (tenant_id, coupon_id);

CREATE TABLE coupon_bulk_issues (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  template_id uuid NOT NULL,
  segment_id uuid NOT NULL,
  created_by uuid NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
  total integer,
  issued integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['coupon_templates', 'coupons', 'coupon_redemptions', 'coupon_bulk_issues'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

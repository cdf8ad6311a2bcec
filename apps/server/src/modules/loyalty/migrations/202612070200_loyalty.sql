-- 会员与积分 (issue 13, R7.1–R7.3): programs, tiers, members, an append-only points ledger with lots.
-- Invariant kept by every write (one member row lock serialises a member's operations):
--   members.balance = sum(ledger.delta) = sum(lots.remaining) - members.debt, lots.remaining >= 0,
--   debt > 0 only when every lot is empty (a refund reversed points that were already spent).

CREATE TABLE loyalty_programs (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  -- The brand unit that runs the program; members enrol at any unit below it (B2B2C, R7.3).
  unit_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
  member_prefix text NOT NULL DEFAULT 'M',
  next_member_no bigint NOT NULL DEFAULT 1,
  -- Earn: points per yuan of net paid amount, multipliers by order channel / product category, caps.
  points_per_yuan numeric NOT NULL DEFAULT 1 CHECK (points_per_yuan >= 0),
  channel_multipliers jsonb NOT NULL DEFAULT '{}',
  category_multipliers jsonb NOT NULL DEFAULT '{}',
  per_order_cap integer CHECK (per_order_cap > 0),
  per_day_cap integer CHECK (per_day_cap > 0),
  -- [{ event: 'Review Submitted', points: 20, perDay: 1 }]
  event_rules jsonb NOT NULL DEFAULT '[]',
  expiry_days integer CHECK (expiry_days > 0),
  tier_basis text NOT NULL DEFAULT 'points' CHECK (tier_basis IN ('points', 'spend')),
  tier_window_days integer NOT NULL DEFAULT 365 CHECK (tier_window_days > 0),
  retention_percent integer NOT NULL DEFAULT 80 CHECK (retention_percent BETWEEN 0 AND 100),
  allow_transfer boolean NOT NULL DEFAULT false,
  auto_enrol_wecom boolean NOT NULL DEFAULT false,
  adjust_approval_threshold integer NOT NULL DEFAULT 1000 CHECK (adjust_approval_threshold >= 0),
  point_value_minor numeric NOT NULL DEFAULT 1,
  version integer NOT NULL DEFAULT 1,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE loyalty_tiers (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  program_id uuid NOT NULL,
  name text NOT NULL,
  rank integer NOT NULL CHECK (rank >= 0),
  -- Qualifying points (or yuan of spend) in the program's rolling window; rank 0 has 0.
  threshold integer NOT NULL CHECK (threshold >= 0),
  discount_percent integer CHECK (discount_percent BETWEEN 0 AND 99),
  free_services jsonb NOT NULL DEFAULT '[]',
  birthday_points integer CHECK (birthday_points > 0),
  birthday_coupon_template_id uuid,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, program_id, rank),
  FOREIGN KEY (tenant_id, program_id) REFERENCES loyalty_programs (tenant_id, id)
);

CREATE TABLE loyalty_members (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  program_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  member_no text NOT NULL,
  -- Where the member enrolled (a dealer's store …): scope follows the org tree from here.
  unit_id uuid NOT NULL,
  source text NOT NULL,
  tier_id uuid NOT NULL,
  tier_since timestamptz NOT NULL DEFAULT now(),
  tier_review_at timestamptz NOT NULL,
  balance bigint NOT NULL DEFAULT 0,
  debt bigint NOT NULL DEFAULT 0 CHECK (debt >= 0),
  birthday_gift_year integer,
  idempotency_key text NOT NULL,
  enrolled_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, program_id, profile_id),
  UNIQUE (tenant_id, member_no),
  UNIQUE (tenant_id, idempotency_key),
  FOREIGN KEY (tenant_id, program_id) REFERENCES loyalty_programs (tenant_id, id),
  FOREIGN KEY (tenant_id, tier_id) REFERENCES loyalty_tiers (tenant_id, id)
);
CREATE INDEX loyalty_members_list ON loyalty_members (tenant_id, program_id, enrolled_at DESC, id);
CREATE INDEX loyalty_members_unit ON loyalty_members (tenant_id, unit_id);
CREATE INDEX loyalty_members_tier ON loyalty_members (tenant_id, tier_id);
CREATE INDEX loyalty_members_profile ON loyalty_members (tenant_id, profile_id);
CREATE INDEX loyalty_members_review ON loyalty_members (tenant_id, tier_review_at);

-- Append-only: rows are never updated or deleted; a correction is a new row.
CREATE TABLE loyalty_ledger (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  member_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('earn', 'spend', 'reverse_spend', 'reverse_earn', 'expire', 'adjust',
    'transfer_in', 'transfer_out')),
  delta bigint NOT NULL,
  balance_after bigint NOT NULL,
  -- What counts towards the tier (points, or yuan of spend) in the rolling window.
  qualifying bigint NOT NULL DEFAULT 0,
  reason text NOT NULL,
  -- The rule that produced the points, as shown to staff ("订单实付 ¥1,280 × 1 × 线上 1.5 = 1920").
  rule text,
  ref_object text,
  ref_id text,
  expires_at timestamptz,
  idempotency_key text NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX loyalty_ledger_member ON loyalty_ledger (tenant_id, member_id, created_at DESC, id);
CREATE INDEX loyalty_ledger_ref ON loyalty_ledger (tenant_id, ref_object, ref_id) WHERE ref_id IS NOT NULL;

CREATE TABLE loyalty_lots (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  member_id uuid NOT NULL,
  ledger_id uuid NOT NULL,
  points bigint NOT NULL CHECK (points > 0),
  remaining bigint NOT NULL CHECK (remaining >= 0),
  earned_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX loyalty_lots_open ON loyalty_lots (tenant_id, member_id, expires_at, earned_at) WHERE remaining > 0;
CREATE INDEX loyalty_lots_expiring ON loyalty_lots (tenant_id, expires_at) WHERE remaining > 0;

-- Which lots a ledger row took points from (negative) or put them into (positive): a reversed
-- spend returns points into their original lots, an expiry empties exactly the lots it names.
CREATE TABLE loyalty_lot_moves (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  ledger_id uuid NOT NULL,
  lot_id uuid NOT NULL,
  points bigint NOT NULL,
  PRIMARY KEY (tenant_id, ledger_id, lot_id)
);
CREATE INDEX loyalty_lot_moves_lot ON loyalty_lot_moves (tenant_id, lot_id);

CREATE TABLE loyalty_tier_history (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  member_id uuid NOT NULL,
  from_tier_id uuid,
  to_tier_id uuid NOT NULL,
  reason text NOT NULL CHECK (reason IN ('enrolled', 'upgrade', 'downgrade', 'retained')),
  qualifying bigint NOT NULL DEFAULT 0,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX loyalty_tier_history_member ON loyalty_tier_history (tenant_id, member_id, at DESC);

-- Manual adjustments; above the program's threshold they wait for the approvals engine.
CREATE TABLE loyalty_adjustments (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  member_id uuid NOT NULL,
  points integer NOT NULL CHECK (points <> 0),
  reason text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'applied', 'rejected')),
  approval_request_id uuid,
  ledger_id uuid,
  idempotency_key text NOT NULL,
  requested_by uuid NOT NULL,
  unit_id uuid NOT NULL,
  owner_id uuid NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX loyalty_adjustments_member ON loyalty_adjustments (tenant_id, member_id, created_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['loyalty_programs', 'loyalty_tiers', 'loyalty_members', 'loyalty_ledger', 'loyalty_lots',
    'loyalty_lot_moves', 'loyalty_tier_history', 'loyalty_adjustments'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;
-- The ledger is append-only for the application role.
REVOKE UPDATE, DELETE ON loyalty_ledger FROM kehu_app;

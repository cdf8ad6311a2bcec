-- 积分商城 / 老带新 / 会员卡 H5 / 会员分析 (issue 13, R7.1–R7.3, R11.4). Points and members are the
-- loyalty module's; this module keeps rewards, redemptions, referrals, card sign-in and an
-- analytics projection fed by loyalty's and sales' outbox events.

CREATE TABLE mall_settings (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  -- the loyalty program the card page enrols into
  program_id uuid,
  -- the public card page is /m/<card_token> (the token carries the tenant)
  card_token text NOT NULL,
  -- what one point is worth, in 分 (points liability = outstanding points × this)
  point_value_minor numeric(12, 4) NOT NULL DEFAULT 1,
  referral_enabled boolean NOT NULL DEFAULT true,
  referrer_points integer NOT NULL DEFAULT 200 CHECK (referrer_points >= 0),
  referee_points integer NOT NULL DEFAULT 100 CHECK (referee_points >= 0),
  referrer_coupon_template_id uuid,
  referee_coupon_template_id uuid,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);
CREATE UNIQUE INDEX mall_settings_token ON mall_settings (card_token);

CREATE TABLE mall_rewards (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  unit_id uuid NOT NULL,
  name text NOT NULL,
  description text,
  kind text NOT NULL CHECK (kind IN ('coupon', 'gift', 'service')),
  points_cost integer NOT NULL CHECK (points_cost > 0),
  coupon_template_id uuid,
  -- null = no stock kept (coupons follow their template's stock)
  stock_total integer CHECK (stock_total >= 0),
  stock_left integer CHECK (stock_left >= 0),
  per_member_limit integer NOT NULL DEFAULT 1 CHECK (per_member_limit > 0),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
  sort integer NOT NULL DEFAULT 0,
  version integer NOT NULL DEFAULT 1,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id),
  CHECK (kind <> 'coupon' OR coupon_template_id IS NOT NULL),
  CHECK ((stock_total IS NULL) = (stock_left IS NULL))
);
CREATE INDEX mall_rewards_unit ON mall_rewards (tenant_id, unit_id);

CREATE TABLE mall_redemptions (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  reward_id uuid NOT NULL,
  member_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  -- the member's unit: staff see redemptions of their unit and below
  unit_id uuid NOT NULL,
  points integer NOT NULL,
  kind text NOT NULL,
  -- coupon: issued | service: pending_service → served | gift: pending_shipment → shipped → received
  -- any pending state → cancelled (points and stock go back)
  status text NOT NULL,
  idempotency_key text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('card', 'staff', 'api')),
  coupon_id uuid,
  coupon_code text,
  ship_name text,
  ship_phone text,
  ship_address text,
  tracking_no text,
  cancel_reason text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  shipped_at timestamptz,
  received_at timestamptz,
  served_at timestamptz,
  cancelled_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, reward_id) REFERENCES mall_rewards (tenant_id, id)
);
CREATE UNIQUE INDEX mall_redemptions_key ON mall_redemptions (tenant_id, idempotency_key);
CREATE INDEX mall_redemptions_member ON mall_redemptions (tenant_id, member_id, reward_id);
CREATE INDEX mall_redemptions_unit ON mall_redemptions (tenant_id, unit_id, created_at);

CREATE TABLE mall_referral_codes (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  member_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  code text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, member_id)
);
CREATE UNIQUE INDEX mall_referral_codes_code ON mall_referral_codes (tenant_id, code);

CREATE TABLE mall_referrals (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  referrer_member_id uuid NOT NULL,
  referrer_profile_id uuid NOT NULL,
  referee_member_id uuid,
  referee_profile_id uuid NOT NULL,
  unit_id uuid NOT NULL,
  -- registered (waits for the first paid order) | rewarded | refused (self-referral, already a member)
  status text NOT NULL CHECK (status IN ('registered', 'rewarded', 'refused')),
  refused_reason text,
  order_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  rewarded_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
-- a person is referred once (refused attempts are kept for the record but do not block)
CREATE UNIQUE INDEX mall_referrals_referee ON mall_referrals (tenant_id, referee_profile_id) WHERE status <> 'refused';
CREATE INDEX mall_referrals_referrer ON mall_referrals (tenant_id, referrer_member_id);

-- Card-page sign-in: a 6-digit code by SMS (hashed), 5 minutes, 5 attempts.
CREATE TABLE mall_card_codes (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  phone text NOT NULL,
  code_hash text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX mall_card_codes_phone ON mall_card_codes (tenant_id, phone, created_at);

CREATE TABLE mall_card_sessions (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  token_hash text NOT NULL,
  member_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, token_hash)
);

-- Analytics projection (R11.4), kept from loyalty.* and order events: one row per member.
CREATE TABLE mall_member_stats (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  member_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  unit_id uuid NOT NULL,
  tier_id uuid,
  tier_name text,
  tier_rank integer,
  balance bigint NOT NULL DEFAULT 0,
  enrolled_at timestamptz,
  last_active_at timestamptz,
  orders integer NOT NULL DEFAULT 0,
  revenue numeric(16, 2) NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, member_id)
);
CREATE INDEX mall_member_stats_unit ON mall_member_stats (tenant_id, unit_id);

CREATE TABLE mall_tier_moves (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  event_id uuid NOT NULL,
  member_id uuid NOT NULL,
  unit_id uuid NOT NULL,
  from_name text,
  to_name text NOT NULL,
  at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, event_id)
);

CREATE TABLE mall_member_orders (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  order_id uuid NOT NULL,
  member_id uuid NOT NULL,
  amount numeric(16, 2) NOT NULL,
  paid_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, order_id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['mall_settings', 'mall_rewards', 'mall_redemptions', 'mall_referral_codes',
      'mall_referrals', 'mall_card_codes', 'mall_card_sessions', 'mall_member_stats', 'mall_tier_moves',
      'mall_member_orders'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

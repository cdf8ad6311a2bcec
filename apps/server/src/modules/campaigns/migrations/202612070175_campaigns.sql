-- 市场活动 (issue 12): activities with budget and cost lines, a public registration page
-- (token carries the tenant), registrations → CDP profile + lead, check-in, UTM channel links.

CREATE TABLE campaigns (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('expo', 'store_event', 'live', 'tasting')),
  description text,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  budget_minor bigint NOT NULL DEFAULT 0,
  venue text,
  owner_id uuid NOT NULL,
  unit_id uuid NOT NULL,
  form_fields jsonb NOT NULL DEFAULT '[]',
  consent_purposes text[] NOT NULL DEFAULT '{marketing}',
  coupon_template_id uuid,
  journey_id uuid,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'ended')),
  -- 44 characters: the tenant id and 16 random bytes, base64url; the public page's only authority
  public_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (ends_at > starts_at)
);
CREATE UNIQUE INDEX campaigns_token ON campaigns (tenant_id, public_token);
CREATE INDEX campaigns_unit ON campaigns (tenant_id, unit_id);

CREATE TABLE campaign_costs (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  item text NOT NULL,
  amount_minor bigint NOT NULL,
  spent_on date,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id)
);
CREATE INDEX campaign_costs_campaign ON campaign_costs (tenant_id, campaign_id);

CREATE TABLE campaign_links (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  code text NOT NULL,
  utm_source text NOT NULL,
  utm_medium text NOT NULL,
  utm_content text,
  clicks integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id)
);
CREATE UNIQUE INDEX campaign_links_code ON campaign_links (tenant_id, code);

CREATE TABLE campaign_registrations (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  phone text NOT NULL,
  name text,
  fields jsonb NOT NULL DEFAULT '{}',
  consents text[] NOT NULL DEFAULT '{}',
  link_id uuid,
  utm_source text,
  -- the attendee's personal QR: shown on their ticket page, scanned by staff at the venue
  ticket text NOT NULL,
  lead_id uuid,
  profile_id uuid,
  coupon_id uuid,
  checked_in_at timestamptz,
  checked_in_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, campaign_id) REFERENCES campaigns (tenant_id, id)
);
CREATE UNIQUE INDEX campaign_registrations_phone ON campaign_registrations (tenant_id, campaign_id, phone);
CREATE UNIQUE INDEX campaign_registrations_ticket ON campaign_registrations (tenant_id, ticket);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['campaigns', 'campaign_costs', 'campaign_links', 'campaign_registrations'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

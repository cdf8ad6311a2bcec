-- Leads (R3, R12.1): the `lead` and `activity` standard objects, intake configuration
-- (web forms, channel codes), per-tenant lead settings (scorecard, model, SLA, pool rules),
-- assignment rules and their decision log.

-- Company names compare without case, spaces, punctuation and the legal-form suffix, so
-- "上海 星河科技有限公司" and "上海星河科技" are the same company. IMMUTABLE: used in indexes.
CREATE OR REPLACE FUNCTION kehu_norm_company(t text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT nullif(regexp_replace(
    regexp_replace(lower(coalesce(t, '')), '[[:space:][:punct:]（）·，。、]+', '', 'g'),
    '(股份有限公司|有限责任公司|有限公司|集团|公司|co\.?ltd|coltd|ltd|inc|llc|gmbh)$', ''), '')
$$;

CREATE TABLE leads (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  -- NULL while the lead sits in a pool (公海): claiming is `UPDATE … WHERE owner_id IS NULL`.
  owner_id uuid,
  unit_id uuid NOT NULL,
  name text NOT NULL,
  company text,
  company_key text GENERATED ALWAYS AS (kehu_norm_company(company)) STORED,
  phone text,
  email text,
  title text,
  region text,
  industry text,
  channel text,
  campaign text,
  need text,
  budget jsonb,
  company_size text,
  decision_chain text,
  status text NOT NULL DEFAULT 'new',
  status_reason text,
  score integer,
  score_reasons jsonb,
  score_source text,
  first_response_due_at timestamptz,
  first_responded_at timestamptz,
  sla_breached boolean NOT NULL DEFAULT false,
  last_activity_at timestamptz,
  pool_id uuid,
  pooled_at timestamptz,
  duplicate_of_id uuid,
  duplicate_of_object text,
  converted_customer_id uuid,
  converted_contact_id uuid,
  converted_opportunity_id uuid,
  converted_at timestamptz,
  tags jsonb,
  remark text,
  custom jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
-- The salesperson's inbox: my open leads by first-response deadline.
CREATE INDEX leads_inbox ON leads (tenant_id, owner_id, status, first_response_due_at) WHERE deleted_at IS NULL;
CREATE INDEX leads_unit ON leads (tenant_id, unit_id, id);
CREATE INDEX leads_owner ON leads (tenant_id, owner_id, id);
CREATE INDEX leads_pool ON leads (tenant_id, unit_id, pooled_at) WHERE owner_id IS NULL AND deleted_at IS NULL;
CREATE INDEX leads_sla ON leads (tenant_id, first_response_due_at) WHERE first_responded_at IS NULL AND NOT sla_breached AND deleted_at IS NULL;
-- Dedupe keys (phones and emails are stored normalised by the record engine).
CREATE INDEX leads_phone ON leads (tenant_id, phone) WHERE phone IS NOT NULL;
CREATE INDEX leads_email ON leads (tenant_id, lower(email)) WHERE email IS NOT NULL;
CREATE INDEX leads_company ON leads (tenant_id, company_key) WHERE company_key IS NOT NULL;
-- Dedupe against customers on the same keys (the phone index exists in 0002).
CREATE INDEX customers_email_lower ON customers (tenant_id, lower(email)) WHERE email IS NOT NULL;
CREATE INDEX customers_company_key ON customers (tenant_id, kehu_norm_company(name));

CREATE TABLE activities (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  owner_id uuid NOT NULL,
  unit_id uuid NOT NULL,
  type text NOT NULL,
  subject text,
  content text,
  occurred_at timestamptz,
  due_at timestamptz,
  status text,
  duration_minutes numeric,
  lead_id uuid,
  customer_id uuid,
  contact_id uuid,
  opportunity_id text,
  reminded_at timestamptz,
  custom jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX activities_lead ON activities (tenant_id, lead_id, occurred_at) WHERE lead_id IS NOT NULL;
CREATE INDEX activities_customer ON activities (tenant_id, customer_id, occurred_at) WHERE customer_id IS NOT NULL;
CREATE INDEX activities_unit ON activities (tenant_id, unit_id, id);
CREATE INDEX activities_owner ON activities (tenant_id, owner_id, id);
CREATE INDEX activities_due ON activities (tenant_id, due_at) WHERE due_at IS NOT NULL AND reminded_at IS NULL AND status = 'open';

-- Per-tenant lead configuration: scorecard, trained model, SLA minutes per channel, pool rules.
CREATE TABLE lead_settings (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  scorecard jsonb,
  model jsonb,
  sla jsonb,
  pool jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);

-- Public embeddable web forms; the key embeds the tenant id so the tenant is known before any query.
CREATE TABLE lead_forms (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  form_key text NOT NULL,
  name text NOT NULL,
  channel text NOT NULL DEFAULT 'web_form',
  campaign text,
  fields jsonb NOT NULL,
  thank_you jsonb,
  unit_id uuid NOT NULL,
  created_by uuid NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX lead_forms_key ON lead_forms (tenant_id, form_key);

-- Channel codes (活码): the `state` carried by a QR code or link → channel, campaign, tags, rule.
CREATE TABLE lead_channels (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  code text NOT NULL,
  name text NOT NULL,
  channel text NOT NULL,
  campaign text,
  default_tags jsonb NOT NULL DEFAULT '[]',
  rule_id uuid,
  unit_id uuid,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX lead_channels_code ON lead_channels (tenant_id, code);

-- Ordered assignment rules: first enabled match wins.
CREATE TABLE lead_assignment_rules (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  position integer NOT NULL,
  name text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  conditions jsonb NOT NULL DEFAULT '{}',
  strategy text NOT NULL,
  members jsonb NOT NULL DEFAULT '[]',
  pool_unit_id uuid,
  rr_cursor integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

-- Per-user capacity and working hours for assignment.
CREATE TABLE lead_user_settings (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  user_id uuid NOT NULL,
  max_open_leads integer,
  working_hours jsonb,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id)
);

-- Every owner change of a lead with its reason: assignment, claim, return, reclaim, transfer.
CREATE TABLE lead_assignments (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  lead_id uuid NOT NULL,
  kind text NOT NULL,
  rule_id uuid,
  from_user_id uuid,
  to_user_id uuid,
  unit_id uuid,
  reason jsonb NOT NULL,
  actor_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX lead_assignments_lead ON lead_assignments (tenant_id, lead_id, created_at);
CREATE INDEX lead_assignments_user ON lead_assignments (tenant_id, to_user_id, kind, created_at);
CREATE INDEX lead_assignments_rule ON lead_assignments (tenant_id, rule_id, created_at) WHERE rule_id IS NOT NULL;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['leads', 'activities', 'lead_settings', 'lead_forms', 'lead_channels',
    'lead_assignment_rules', 'lead_user_settings', 'lead_assignments']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;
GRANT EXECUTE ON FUNCTION kehu_norm_company(text) TO kehu_app;

-- Sales: opportunities (standard object `opportunity`). Stage columns are written only by the
-- stage service; `amount_minor` mirrors the currency amount for indexed sums (kanban, forecast).

CREATE TABLE opportunities (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  owner_id uuid NOT NULL,
  unit_id uuid NOT NULL,
  name text NOT NULL,
  customer_id uuid,
  contact_id uuid,
  lead_id text,
  amount jsonb,
  amount_minor bigint GENERATED ALWAYS AS (((amount->>'amount'))::bigint) STORED,
  pipeline_id text,
  stage text,
  probability numeric,
  expected_close_date date,
  lost_reason text,
  closed_at timestamptz,
  stage_entered_at timestamptz,
  channel text,
  next_step text,
  description text,
  custom jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX opportunities_customer ON opportunities (tenant_id, customer_id, id);
CREATE INDEX opportunities_lead ON opportunities (tenant_id, lead_id) WHERE lead_id IS NOT NULL;
CREATE INDEX opportunities_unit ON opportunities (tenant_id, unit_id, id);
CREATE INDEX opportunities_owner ON opportunities (tenant_id, owner_id, id);
CREATE INDEX opportunities_stage ON opportunities (tenant_id, pipeline_id, stage, id) INCLUDE (amount_minor, unit_id, owner_id) WHERE deleted_at IS NULL;
CREATE INDEX opportunities_closed ON opportunities (tenant_id, closed_at) WHERE closed_at IS NOT NULL;

ALTER TABLE opportunities ENABLE ROW LEVEL SECURITY;
ALTER TABLE opportunities FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON opportunities USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON opportunities TO kehu_app;

-- Pipelines: stages (key, labels, win probability, kind open|won|lost) and each stage's SOP
-- checklist live in one JSONB document; one pipeline per tenant is the default.
CREATE TABLE pipelines (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name jsonb NOT NULL,
  is_default boolean NOT NULL DEFAULT false,
  stages jsonb NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX pipelines_default ON pipelines (tenant_id) WHERE is_default AND deleted_at IS NULL;

-- SOP checklist items done on an opportunity (per stage); undone = no row.
CREATE TABLE opportunity_sop_items (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  opportunity_id uuid NOT NULL,
  stage text NOT NULL,
  item_key text NOT NULL,
  done_by uuid,
  done_at timestamptz NOT NULL DEFAULT now(),
  note text,
  PRIMARY KEY (tenant_id, opportunity_id, stage, item_key)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['pipelines', 'opportunity_sop_items']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

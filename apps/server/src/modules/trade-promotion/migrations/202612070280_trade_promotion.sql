-- Trade promotion (TPM, issue 14, R9.2–R9.3): budgets allocated down the org tree, activities with
-- budget lines, execution proof photos, verification 核销 and the dealer expense pool.
-- Money in integer fen. A budget holds: amount = allocated + committed + used + remaining, and the
-- CHECK keeps remaining ≥ 0, so no conditional update can ever overspend.

CREATE TABLE tpm_budgets (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  parent_id uuid,
  unit_id uuid NOT NULL,
  year integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
  -- 0 = the whole year
  quarter integer NOT NULL DEFAULT 0 CHECK (quarter BETWEEN 0 AND 4),
  channel text NOT NULL,
  expense_type text NOT NULL CHECK (expense_type IN ('display', 'promotion', 'tasting', 'listing_fee')),
  amount bigint NOT NULL DEFAULT 0 CHECK (amount >= 0),
  allocated bigint NOT NULL DEFAULT 0 CHECK (allocated >= 0),
  committed bigint NOT NULL DEFAULT 0 CHECK (committed >= 0),
  used bigint NOT NULL DEFAULT 0 CHECK (used >= 0),
  version integer NOT NULL DEFAULT 1,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (allocated + committed + used <= amount)
);
-- One budget per unit and key under one parent (a top-up adds to it); roots have no parent.
CREATE UNIQUE INDEX tpm_budgets_key ON tpm_budgets
  (tenant_id, unit_id, year, quarter, channel, expense_type, coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid));
CREATE INDEX tpm_budgets_parent ON tpm_budgets (tenant_id, parent_id);

-- Every movement of money between budgets and activities: the reconciliation trail.
CREATE TABLE tpm_budget_moves (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  budget_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('fund', 'allocate_out', 'allocate_in', 'commit', 'release', 'use')),
  amount bigint NOT NULL,
  activity_id uuid,
  other_budget_id uuid,
  by_user uuid,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX tpm_budget_moves_budget ON tpm_budget_moves (tenant_id, budget_id, at);

-- Where a store is (for the geofence). Coordinates as entered, in their system, plus WGS-84.
CREATE TABLE tpm_store_locations (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  unit_id uuid NOT NULL,
  lng double precision NOT NULL,
  lat double precision NOT NULL,
  coord_system text NOT NULL CHECK (coord_system IN ('wgs84', 'gcj02', 'bd09')),
  wgs_lng double precision NOT NULL,
  wgs_lat double precision NOT NULL,
  radius_m integer NOT NULL DEFAULT 200 CHECK (radius_m BETWEEN 20 AND 5000),
  address text,
  updated_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, unit_id)
);

CREATE TABLE tpm_activities (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  activity_type text NOT NULL CHECK (activity_type IN ('display', 'promotion', 'tasting', 'listing_fee')),
  dealer_unit_id uuid NOT NULL,
  store_unit_ids uuid[] NOT NULL,
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  description text,
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'pending', 'approved', 'executed', 'verified', 'rejected', 'cancelled')),
  amount bigint NOT NULL CHECK (amount > 0),
  committed bigint NOT NULL DEFAULT 0,
  used bigint NOT NULL DEFAULT 0,
  sampled boolean,
  verified_amount bigint,
  verified_by uuid,
  verified_at timestamptz,
  verify_comment text,
  proposed_by uuid NOT NULL,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (ends_on >= starts_on)
);
CREATE INDEX tpm_activities_dealer ON tpm_activities (tenant_id, dealer_unit_id, status);

CREATE TABLE tpm_activity_lines (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  activity_id uuid NOT NULL,
  line_no integer NOT NULL,
  budget_id uuid NOT NULL,
  amount bigint NOT NULL CHECK (amount > 0),
  committed bigint NOT NULL DEFAULT 0,
  used bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, activity_id, line_no),
  FOREIGN KEY (tenant_id, activity_id) REFERENCES tpm_activities (tenant_id, id),
  FOREIGN KEY (tenant_id, budget_id) REFERENCES tpm_budgets (tenant_id, id)
);
CREATE INDEX tpm_activity_lines_budget ON tpm_activity_lines (tenant_id, budget_id);

CREATE TABLE tpm_proofs (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  activity_id uuid NOT NULL,
  store_unit_id uuid NOT NULL,
  uploaded_by uuid NOT NULL,
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  taken_at timestamptz,
  lng double precision,
  lat double precision,
  coord_system text,
  distance_m integer,
  -- 64-bit difference hash (dHash) as a signed bigint; Hamming distance via bit_count of the XOR.
  dhash bigint NOT NULL,
  sha256 text NOT NULL,
  exif jsonb NOT NULL DEFAULT '{}',
  flags jsonb NOT NULL DEFAULT '[]',
  status text NOT NULL CHECK (status IN ('accepted', 'flagged')),
  image bytea NOT NULL,
  thumb bytea NOT NULL,
  idempotency_key text,
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, activity_id) REFERENCES tpm_activities (tenant_id, id)
);
CREATE INDEX tpm_proofs_activity ON tpm_proofs (tenant_id, activity_id, uploaded_at);
CREATE UNIQUE INDEX tpm_proofs_idempotency ON tpm_proofs (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- The dealer expense pool: a balance per dealer, and an append-only ledger (no UPDATE/DELETE grant).
CREATE TABLE tpm_pool_accounts (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  dealer_unit_id uuid NOT NULL,
  balance bigint NOT NULL DEFAULT 0 CHECK (balance >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, dealer_unit_id)
);
CREATE TABLE tpm_pool_entries (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  dealer_unit_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('credit', 'deduct')),
  amount bigint NOT NULL CHECK (amount > 0),
  balance_after bigint NOT NULL,
  ref text NOT NULL,
  activity_id uuid,
  idempotency_key text NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX tpm_pool_entries_key ON tpm_pool_entries (tenant_id, idempotency_key);
CREATE INDEX tpm_pool_entries_dealer ON tpm_pool_entries (tenant_id, dealer_unit_id, created_at);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['tpm_budgets', 'tpm_budget_moves', 'tpm_store_locations', 'tpm_activities',
    'tpm_activity_lines', 'tpm_proofs', 'tpm_pool_accounts', 'tpm_pool_entries'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE ON tpm_budgets, tpm_store_locations, tpm_activities, tpm_activity_lines,
  tpm_proofs, tpm_pool_accounts TO kehu_app;
-- Ledgers are append-only for the application role.
GRANT SELECT, INSERT ON tpm_budget_moves, tpm_pool_entries TO kehu_app;

-- Field sales 外勤 (R4.6): store tiers and the rep in charge, weekly visit plans, visits (check-in with
-- the geofence verdict, step results, check-out) and visit photos. Visit and photo ids come from the
-- phone, so an action queued offline and synced twice lands once.
CREATE TABLE fsl_store_profiles (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  unit_id uuid NOT NULL,
  tier text NOT NULL CHECK (tier IN ('A', 'B', 'C')),
  rep_id uuid,
  version integer NOT NULL DEFAULT 1,
  updated_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, unit_id)
);
CREATE INDEX fsl_store_profiles_rep ON fsl_store_profiles (tenant_id, rep_id);

CREATE TABLE fsl_plans (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  rep_id uuid NOT NULL,
  -- The rep's unit when planned: a manager sees the plans of their unit and below.
  unit_id uuid NOT NULL,
  week_start date NOT NULL,
  version integer NOT NULL DEFAULT 1,
  updated_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, rep_id, week_start)
);

CREATE TABLE fsl_visits (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  plan_id uuid,
  rep_id uuid NOT NULL,
  store_unit_id uuid NOT NULL,
  day date NOT NULL,
  seq integer NOT NULL DEFAULT 0,
  visit_type text NOT NULL,
  status text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'done')),
  check_in_at timestamptz,
  check_in_lng double precision,
  check_in_lat double precision,
  check_in_accuracy_m double precision,
  distance_m integer,
  inside_fence boolean,
  off_fence_reason text,
  flagged boolean NOT NULL DEFAULT false,
  check_out_at timestamptz,
  duration_s integer,
  results jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX fsl_visits_day ON fsl_visits (tenant_id, day);
CREATE INDEX fsl_visits_rep_day ON fsl_visits (tenant_id, rep_id, day);
CREATE INDEX fsl_visits_store ON fsl_visits (tenant_id, store_unit_id, day);
CREATE INDEX fsl_visits_plan ON fsl_visits (tenant_id, plan_id);

CREATE TABLE fsl_photos (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  visit_id uuid NOT NULL,
  step text NOT NULL,
  uploaded_by uuid,
  uploaded_at timestamptz NOT NULL DEFAULT now(),
  taken_at timestamptz,
  distance_m integer,
  dhash bigint NOT NULL,
  sha256 text NOT NULL,
  flags jsonb NOT NULL DEFAULT '[]',
  status text NOT NULL CHECK (status IN ('accepted', 'flagged')),
  image bytea NOT NULL,
  thumb bytea NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX fsl_photos_visit ON fsl_photos (tenant_id, visit_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['fsl_store_profiles', 'fsl_plans', 'fsl_visits', 'fsl_photos'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

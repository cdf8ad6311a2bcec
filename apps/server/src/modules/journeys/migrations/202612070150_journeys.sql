-- Journeys (issue 12): a journey, its versions (a published version is never edited), one run per
-- (version, profile, entry), and one compact row per step execution.
CREATE TABLE journeys (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  description text,
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'live', 'paused', 'archived')),
  live_version integer,
  trigger_kind text NOT NULL,
  unit_id uuid NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE journey_versions (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  journey_id uuid NOT NULL,
  version integer NOT NULL,
  status text NOT NULL CHECK (status IN ('draft', 'published', 'archived')),
  definition jsonb NOT NULL,
  -- Indexed copies of the trigger for the subscribers' look-ups.
  trigger_kind text NOT NULL,
  trigger_key text,
  published_at timestamptz,
  published_by uuid,
  PRIMARY KEY (tenant_id, journey_id, version)
);
CREATE UNIQUE INDEX journey_versions_one_draft ON journey_versions (tenant_id, journey_id) WHERE status = 'draft';
CREATE UNIQUE INDEX journey_versions_one_live ON journey_versions (tenant_id, journey_id) WHERE status = 'published';
CREATE INDEX journey_versions_trigger ON journey_versions (tenant_id, trigger_kind, trigger_key) WHERE status = 'published';

-- A run: one profile's way through one version. Workers claim due rows (next_run_at) with SKIP LOCKED.
CREATE TABLE journey_runs (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  journey_id uuid NOT NULL,
  version integer NOT NULL,
  profile_id uuid NOT NULL,
  entry integer NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'waiting', 'done', 'exited', 'converted', 'holdout', 'failed')),
  step_id text,
  -- How many times the run has arrived at step_id (loops through waits): part of the idempotency key.
  visit integer NOT NULL DEFAULT 1,
  next_run_at timestamptz,
  -- An event wait: the event, its filters, and the handle to take on the event.
  waiting_for jsonb,
  is_holdout boolean NOT NULL DEFAULT false,
  entered_at timestamptz NOT NULL,
  goal_until timestamptz,
  converted_at timestamptz,
  finished_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  trigger_ref text,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, journey_id, profile_id, entry)
);
CREATE INDEX journey_runs_due ON journey_runs (tenant_id, next_run_at) WHERE status IN ('active', 'waiting');
CREATE INDEX journey_runs_profile ON journey_runs (tenant_id, profile_id, journey_id);
CREATE INDEX journey_runs_goal ON journey_runs (tenant_id, profile_id) WHERE goal_until IS NOT NULL AND converted_at IS NULL;
CREATE INDEX journey_runs_journey ON journey_runs (tenant_id, journey_id, version, status);

-- One row per step execution; its key is the step's idempotency key (runId:stepId:visit).
-- Retention: rows of runs finished more than journey_settings.history_days ago (default 180) are
-- folded into journey_step_daily and deleted by the daily journeys:prune job.
CREATE TABLE journey_steps (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  run_id uuid NOT NULL,
  step_id text NOT NULL,
  visit integer NOT NULL,
  journey_id uuid NOT NULL,
  version integer NOT NULL,
  kind text NOT NULL,
  outcome text NOT NULL,
  reason text,
  message_id uuid,
  at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, run_id, step_id, visit)
);
CREATE INDEX journey_steps_journey ON journey_steps (tenant_id, journey_id, version, step_id);
CREATE INDEX journey_steps_message ON journey_steps (tenant_id, message_id) WHERE message_id IS NOT NULL;

-- Counts of pruned step rows, so analytics survive retention.
CREATE TABLE journey_step_daily (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  journey_id uuid NOT NULL,
  version integer NOT NULL,
  step_id text NOT NULL,
  day date NOT NULL,
  outcome text NOT NULL,
  reason text NOT NULL DEFAULT '',
  n integer NOT NULL,
  PRIMARY KEY (tenant_id, journey_id, version, step_id, day, outcome, reason)
);

-- Message events (delivered, opened, clicked) per journey step, counted from messaging's outbox.
CREATE TABLE journey_message_events (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  message_id uuid NOT NULL,
  kind text NOT NULL,
  journey_id uuid NOT NULL,
  step_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, message_id, kind)
);

-- Cursors of the trigger scans (events since, last date scan day) per tenant.
CREATE TABLE journey_cursors (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  name text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (tenant_id, name)
);

CREATE TABLE journey_settings (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  history_days integer NOT NULL DEFAULT 180,
  PRIMARY KEY (tenant_id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['journeys', 'journey_versions', 'journey_runs', 'journey_steps', 'journey_step_daily',
    'journey_message_events', 'journey_cursors', 'journey_settings'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

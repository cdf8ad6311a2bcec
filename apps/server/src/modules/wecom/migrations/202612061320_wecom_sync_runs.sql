-- Reconciliation runs per corp (issue 10, reliability): what ran (nightly full / hourly light /
-- by hand / right after binding), how far it got (staff done of total, for the progress bar) and
-- how it ended, so the corps, groups and activity pages can show the last sync and a failure.
CREATE TABLE wecom_sync_runs (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  corp_ref uuid NOT NULL,
  mode text NOT NULL CHECK (mode IN ('full', 'light')),
  trigger text NOT NULL CHECK (trigger IN ('scheduled', 'manual', 'bound')),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'failed')),
  job_id uuid,
  staff_total integer NOT NULL DEFAULT 0,
  staff_done integer NOT NULL DEFAULT 0,
  contacts_seen integer NOT NULL DEFAULT 0,
  contacts_added integer NOT NULL DEFAULT 0,
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX wecom_sync_runs_corp ON wecom_sync_runs (tenant_id, corp_ref, started_at DESC);

ALTER TABLE wecom_sync_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE wecom_sync_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wecom_sync_runs USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON wecom_sync_runs TO kehu_app;

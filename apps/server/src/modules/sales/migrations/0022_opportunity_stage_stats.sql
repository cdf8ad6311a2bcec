-- Kanban and dashboard totals without scanning every open opportunity: per (pipeline, stage,
-- unit, owner) count, amount and weighted amount, kept exact by statement-level triggers with
-- transition tables (every write path — record engine, trusted writes, soft delete, restore,
-- bulk SQL — goes through them). Row scope still applies: scopes are by unit or by owner,
-- and both are columns here.

CREATE TABLE opportunity_stage_stats (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  pipeline_id text NOT NULL,
  stage text NOT NULL,
  unit_id uuid NOT NULL,
  owner_id uuid NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  amount numeric NOT NULL DEFAULT 0,
  weighted numeric NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, pipeline_id, stage, unit_id, owner_id)
);

CREATE FUNCTION kehu_opportunity_stats_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO opportunity_stage_stats AS s (tenant_id, pipeline_id, stage, unit_id, owner_id, n, amount, weighted)
    SELECT tenant_id, pipeline_id, stage, unit_id, owner_id, -count(*), -coalesce(sum(amount_minor), 0),
      -coalesce(sum(coalesce(amount_minor, 0) * coalesce(probability, 0) / 100), 0)
    FROM old_rows WHERE deleted_at IS NULL AND pipeline_id IS NOT NULL AND stage IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (tenant_id, pipeline_id, stage, unit_id, owner_id) DO UPDATE
      SET n = s.n + excluded.n, amount = s.amount + excluded.amount, weighted = s.weighted + excluded.weighted;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO opportunity_stage_stats AS s (tenant_id, pipeline_id, stage, unit_id, owner_id, n, amount, weighted)
    SELECT tenant_id, pipeline_id, stage, unit_id, owner_id, count(*), coalesce(sum(amount_minor), 0),
      coalesce(sum(coalesce(amount_minor, 0) * coalesce(probability, 0) / 100), 0)
    FROM new_rows WHERE deleted_at IS NULL AND pipeline_id IS NOT NULL AND stage IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (tenant_id, pipeline_id, stage, unit_id, owner_id) DO UPDATE
      SET n = s.n + excluded.n, amount = s.amount + excluded.amount, weighted = s.weighted + excluded.weighted;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER opportunity_stats_insert AFTER INSERT ON opportunities
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kehu_opportunity_stats_apply();
CREATE TRIGGER opportunity_stats_update AFTER UPDATE ON opportunities
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kehu_opportunity_stats_apply();
CREATE TRIGGER opportunity_stats_delete AFTER DELETE ON opportunities
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kehu_opportunity_stats_apply();

INSERT INTO opportunity_stage_stats (tenant_id, pipeline_id, stage, unit_id, owner_id, n, amount, weighted)
SELECT tenant_id, pipeline_id, stage, unit_id, owner_id, count(*), coalesce(sum(amount_minor), 0),
  coalesce(sum(coalesce(amount_minor, 0) * coalesce(probability, 0) / 100), 0)
FROM opportunities WHERE deleted_at IS NULL AND pipeline_id IS NOT NULL AND stage IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;

ALTER TABLE opportunity_stage_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE opportunity_stage_stats FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON opportunity_stage_stats USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON opportunity_stage_stats TO kehu_app;

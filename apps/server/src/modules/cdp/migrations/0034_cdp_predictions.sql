-- Predicted tags (R2.1 model-predicted, R12.4 churn and repurchase prediction with
-- explanations): a tag kind whose value is a risk band set by a per-tenant logistic model.

ALTER TABLE cdp_tags DROP CONSTRAINT IF EXISTS cdp_tags_kind_check;
ALTER TABLE cdp_tags ADD CONSTRAINT cdp_tags_kind_check
  CHECK (kind IN ('attribute', 'behaviour', 'metric', 'score', 'combined', 'manual', 'crm', 'predicted'));

-- The current model of one predicted tag: what it was trained on, its weights and how well it
-- ranked held-out profiles (the model card). Replaced on every retrain.
CREATE TABLE cdp_prediction_models (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  tag_id uuid NOT NULL,
  -- 'model' (trained) or 'heuristic' (too little history: fixed, documented weights)
  method text NOT NULL,
  fallback_reason text,
  -- {features, center, scale, weights, bias, means}
  model jsonb NOT NULL,
  -- {auc, accuracy, baseRate, labelled, trainSize, holdoutSize}
  metrics jsonb NOT NULL DEFAULT '{}',
  -- profiles per band at the last scoring
  bands jsonb NOT NULL DEFAULT '{}',
  cutoff_at timestamptz,
  trained_at timestamptz,
  scored_at timestamptz,
  scored integer NOT NULL DEFAULT 0,
  -- last start of a retrain (the daily schedule keys on it, so a failing retrain is not
  -- re-enqueued every tick)
  attempted_at timestamptz,
  PRIMARY KEY (tenant_id, tag_id)
);

ALTER TABLE cdp_prediction_models ENABLE ROW LEVEL SECURITY;
ALTER TABLE cdp_prediction_models FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON cdp_prediction_models
  USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON cdp_prediction_models TO kehu_app;

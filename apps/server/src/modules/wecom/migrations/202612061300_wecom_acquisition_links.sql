-- 获客链接 (issue 10): WeCom holds the link and its staff; Kehu keeps the state (customer_channel)
-- that attributes adds, so counts come from wecom_external_contacts.state like channel codes.
CREATE TABLE wecom_acquisition_links (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  corp_ref uuid NOT NULL,
  unit_id uuid NOT NULL,
  name text NOT NULL,
  state text NOT NULL,
  link_id text NOT NULL,
  url text NOT NULL,
  staff jsonb NOT NULL DEFAULT '[]',
  skip_verify boolean NOT NULL DEFAULT true,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX wecom_acquisition_links_state ON wecom_acquisition_links (tenant_id, corp_ref, state) WHERE deleted_at IS NULL;

-- balance_low / balance_exhausted pushed by WeCom; the newest one per corp is the page's banner.
CREATE TABLE wecom_acquisition_alerts (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  corp_ref uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('balance_low', 'balance_exhausted')),
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, corp_ref, kind, received_at)
);

ALTER TABLE wecom_acquisition_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE wecom_acquisition_links FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wecom_acquisition_links USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON wecom_acquisition_links TO kehu_app;
ALTER TABLE wecom_acquisition_alerts ENABLE ROW LEVEL SECURITY;
ALTER TABLE wecom_acquisition_alerts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wecom_acquisition_alerts USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON wecom_acquisition_alerts TO kehu_app;

-- 企业微信扫码登录 (issue 9 §5): one row per started sign-in. The `state` WeCom carries back is
-- signed and names this row; the row is deleted when the callback uses it (single use), holds a
-- hash of the browser cookie set at start (a state carried to another browser is refused) and
-- expires 10 minutes after start.
CREATE TABLE wecom_sso_states (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  corp_ref uuid NOT NULL,
  browser_hash text NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX wecom_sso_states_expiry ON wecom_sso_states (tenant_id, expires_at);

ALTER TABLE wecom_sso_states ENABLE ROW LEVEL SECURITY;
ALTER TABLE wecom_sso_states FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wecom_sso_states USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON wecom_sso_states TO kehu_app;

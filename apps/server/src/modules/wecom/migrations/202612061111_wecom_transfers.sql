-- 在职继承 / 离职继承 (issue 10): one row per customer moved, with WeCom's status
-- (2 under way, 1 done, 3 refused, 4 takeover full) or the per-customer errcode WeCom refused with.
CREATE TABLE wecom_transfers (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  corp_ref uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('onjob', 'resigned')),
  handover_userid text NOT NULL,
  takeover_userid text NOT NULL,
  external_userid text NOT NULL,
  status integer NOT NULL,
  errcode integer NOT NULL DEFAULT 0,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX wecom_transfers_open ON wecom_transfers (tenant_id, corp_ref, status);

ALTER TABLE wecom_transfers ENABLE ROW LEVEL SECURITY;
ALTER TABLE wecom_transfers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wecom_transfers USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON wecom_transfers TO kehu_app;

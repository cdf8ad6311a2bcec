-- 门店活码 (issue 10): one public landing page over many stores, each store its own contact way
-- (a wecom_channel_codes row with its own state, so adds, caps, tags and attribution work as for
-- any channel code). Units carry no city or position, so the store's place is kept here.
CREATE TABLE wecom_store_codes (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  corp_ref uuid NOT NULL,
  unit_id uuid NOT NULL,
  name text NOT NULL,
  state text NOT NULL,
  channel text NOT NULL DEFAULT 'wecom',
  public_key text NOT NULL,
  tags jsonb NOT NULL DEFAULT '[]',
  welcome_text text,
  version integer NOT NULL DEFAULT 1,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX wecom_store_codes_state ON wecom_store_codes (tenant_id, corp_ref, state) WHERE deleted_at IS NULL;
-- The public key carries the tenant id (like material share tokens), so the page knows its tenant first.
CREATE UNIQUE INDEX wecom_store_codes_key ON wecom_store_codes (tenant_id, public_key);

CREATE TABLE wecom_store_places (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  unit_id uuid NOT NULL,
  city text NOT NULL,
  address text,
  lat double precision,
  lng double precision,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, unit_id)
);

ALTER TABLE wecom_channel_codes ADD COLUMN store_code_id uuid;
ALTER TABLE wecom_channel_codes ADD COLUMN store_unit_id uuid;
ALTER TABLE wecom_channel_codes ADD COLUMN store_sort integer;
CREATE INDEX wecom_channel_codes_store ON wecom_channel_codes (tenant_id, store_code_id) WHERE store_code_id IS NOT NULL;

-- Scans: a store's add-me QR shown on the landing page, per store per day.
CREATE TABLE wecom_store_scans (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  store_code_id uuid NOT NULL,
  unit_id uuid NOT NULL,
  day date NOT NULL,
  scans integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, store_code_id, unit_id, day)
);

ALTER TABLE wecom_store_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE wecom_store_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wecom_store_codes USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON wecom_store_codes TO kehu_app;
ALTER TABLE wecom_store_places ENABLE ROW LEVEL SECURITY;
ALTER TABLE wecom_store_places FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wecom_store_places USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON wecom_store_places TO kehu_app;
ALTER TABLE wecom_store_scans ENABLE ROW LEVEL SECURITY;
ALTER TABLE wecom_store_scans FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wecom_store_scans USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON wecom_store_scans TO kehu_app;

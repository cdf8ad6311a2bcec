-- 企业客户标签 both ways (issue 10): WeCom's corp tag groups and tags, mapped to the CDP's manual
-- profile tags (one CDP tag group per WeCom group), and the last known state of each (customer, tag)
-- with when and from which side it was set, so the later write wins.
CREATE TABLE wecom_tag_groups (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  corp_ref uuid NOT NULL,
  group_id text NOT NULL,
  name text NOT NULL,
  cdp_group_id uuid,
  deleted_at timestamptz,
  synced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, corp_ref, group_id)
);

CREATE TABLE wecom_tags (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  corp_ref uuid NOT NULL,
  tag_id text NOT NULL,
  group_id text NOT NULL,
  name text NOT NULL,
  cdp_tag_id uuid,
  deleted_at timestamptz,
  synced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, corp_ref, tag_id)
);
CREATE INDEX wecom_tags_cdp ON wecom_tags (tenant_id, cdp_tag_id);

-- One row per (customer, tag) in a corp: on/off, when, and which side said so ('wecom' | 'kehu').
CREATE TABLE wecom_contact_tags (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  corp_ref uuid NOT NULL,
  external_userid text NOT NULL,
  tag_id text NOT NULL,
  applied boolean NOT NULL,
  changed_at timestamptz NOT NULL,
  source text NOT NULL,
  PRIMARY KEY (tenant_id, corp_ref, external_userid, tag_id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['wecom_tag_groups', 'wecom_tags', 'wecom_contact_tags'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

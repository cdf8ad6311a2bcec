-- Welcome-message attachments (issue 10): up to 9 materials per channel / store code, and WeCom's
-- temporary media (media/upload, 3 days) cached per corp and material, re-uploaded when expired.
ALTER TABLE wecom_channel_codes ADD COLUMN welcome_attachments jsonb NOT NULL DEFAULT '[]';
ALTER TABLE wecom_store_codes ADD COLUMN welcome_attachments jsonb NOT NULL DEFAULT '[]';

CREATE TABLE wecom_media (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  corp_ref uuid NOT NULL,
  material_id uuid NOT NULL,
  -- 'file' (the material's file) or 'cover' (a mini-program's cover image)
  part text NOT NULL,
  media_id text NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, corp_ref, material_id, part)
);
ALTER TABLE wecom_media ENABLE ROW LEVEL SECURITY;
ALTER TABLE wecom_media FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wecom_media USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON wecom_media TO kehu_app;

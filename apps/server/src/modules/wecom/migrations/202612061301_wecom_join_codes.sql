-- 群活码 (issue 10): a groupchat join way (scene 2 QR) over up to 5 chats; its state comes back on
-- every member who joins through it (join_scene 3), which attributes the join to the code.
CREATE TABLE wecom_join_codes (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  corp_ref uuid NOT NULL,
  unit_id uuid NOT NULL,
  name text NOT NULL,
  state text NOT NULL,
  config_id text NOT NULL,
  qr_code text,
  chat_ids jsonb NOT NULL DEFAULT '[]',
  auto_create_room boolean NOT NULL DEFAULT true,
  room_base_name text,
  room_base_id integer,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX wecom_join_codes_state ON wecom_join_codes (tenant_id, corp_ref, state) WHERE deleted_at IS NULL;

ALTER TABLE wecom_group_members ADD COLUMN state text;
CREATE INDEX wecom_group_members_state ON wecom_group_members (tenant_id, state) WHERE state IS NOT NULL;

ALTER TABLE wecom_join_codes ENABLE ROW LEVEL SECURITY;
ALTER TABLE wecom_join_codes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wecom_join_codes USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON wecom_join_codes TO kehu_app;

-- 客户群 and staff activity (issue 10, R11.3): customer groups per corp with their members (join
-- scene, join and leave times), and per staff member per day what WeCom reports
-- (get_user_behavior_data, groupchat/statistic), pulled by a daily job or on demand.
CREATE TABLE wecom_groups (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  corp_ref uuid NOT NULL,
  chat_id text NOT NULL,
  name text NOT NULL DEFAULT '',
  owner_userid text NOT NULL,
  notice text,
  status integer NOT NULL DEFAULT 0,
  created_in_wecom timestamptz,
  dismissed_at timestamptz,
  member_version text,
  synced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX wecom_groups_chat ON wecom_groups (tenant_id, corp_ref, chat_id);

-- One row per member and stay; a member who leaves keeps the row with left_at (joins/leaves per day).
CREATE TABLE wecom_group_members (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  group_id uuid NOT NULL,
  member_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('staff', 'external')),
  name text,
  unionid text,
  join_scene integer,
  joined_at timestamptz NOT NULL,
  left_at timestamptz,
  PRIMARY KEY (tenant_id, group_id, member_id)
);

CREATE TABLE wecom_staff_daily (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  corp_ref uuid NOT NULL,
  userid text NOT NULL,
  day date NOT NULL,
  chat_cnt integer NOT NULL DEFAULT 0,
  message_cnt integer NOT NULL DEFAULT 0,
  reply_percentage numeric,
  avg_reply_time integer,
  negative_feedback_cnt integer NOT NULL DEFAULT 0,
  new_contact_cnt integer NOT NULL DEFAULT 0,
  group_chat_total integer,
  group_new_member_cnt integer,
  group_msg_total integer,
  pulled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, corp_ref, userid, day)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['wecom_groups', 'wecom_group_members', 'wecom_staff_daily'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

-- 会话内容存档 (R5.6, R12.5): chat messages pulled from WeCom's archive through the Finance SDK
-- sidecar, consent per customer, and the rules that watch them.

-- Per bound corp: where its sidecar listens, the archive secret and the RSA key pair whose public
-- half the corp's admin uploads to WeCom (both secrets sealed with core/crypto/secret-box.ts), and
-- how far the archive has been read (WeCom's seq).
CREATE TABLE chat_archive_settings (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  corp_ref uuid NOT NULL,
  sidecar_url text NOT NULL,
  archive_secret text NOT NULL,
  private_key text NOT NULL,
  public_key text NOT NULL,
  key_version integer NOT NULL DEFAULT 1,
  enabled boolean NOT NULL DEFAULT true,
  last_seq bigint NOT NULL DEFAULT 0,
  last_pulled_at timestamptz,
  last_error text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, corp_ref)
);

-- One archived message. `msgid` is WeCom's identity: a batch read twice (a crash between the
-- insert and the cursor) stores nothing twice. Scope columns are fixed at ingest: the staff
-- member's Kehu user and unit (the corp's unit when the staff member maps to no user).
CREATE TABLE chat_messages (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  corp_ref uuid NOT NULL,
  msgid text NOT NULL,
  seq bigint NOT NULL,
  msgtime timestamptz NOT NULL,
  msgtype text NOT NULL,
  action text NOT NULL,
  direction text NOT NULL CHECK (direction IN ('in', 'out', 'other')),
  staff_userid text,
  external_userid text,
  roomid text,
  content text,
  staff_user_id uuid,
  unit_id uuid NOT NULL,
  profile_id uuid,
  raw jsonb NOT NULL,
  PRIMARY KEY (tenant_id, corp_ref, msgid)
);
CREATE INDEX chat_messages_pair ON chat_messages (tenant_id, staff_userid, external_userid, msgtime);
CREATE INDEX chat_messages_time ON chat_messages (tenant_id, msgtime DESC);

-- Sensitive words and risky behaviour (alert the staff member's managers) and keyword auto-tags.
CREATE TABLE chat_rules (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('sensitive', 'risky', 'auto_tag')),
  keywords text[] NOT NULL,
  -- Which side's words count: the staff member's (off-platform payment …) or the customer's.
  applies_to text NOT NULL DEFAULT 'both' CHECK (applies_to IN ('staff', 'customer', 'both')),
  tag_id uuid,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE chat_alerts (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  rule_id uuid NOT NULL,
  corp_ref uuid NOT NULL,
  msgid text NOT NULL,
  keyword text NOT NULL,
  staff_userid text,
  external_userid text,
  staff_user_id uuid,
  unit_id uuid NOT NULL,
  msgtime timestamptz NOT NULL,
  excerpt text NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX chat_alerts_once ON chat_alerts (tenant_id, rule_id, corp_ref, msgid);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['chat_archive_settings', 'chat_messages', 'chat_rules', 'chat_alerts'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

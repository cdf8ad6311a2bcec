-- WeCom (企业微信) connection (issue 10, R5.1, R5.7, R11.3): corps bound per unit, their cached
-- access tokens, raw callbacks (stored before they are answered, processed after commit), the
-- staff directory, channel codes (渠道活码) with daily counts, and external contacts.

-- A corp bound by one unit (HQ, branch or dealer); what it brings in belongs to that unit's tree.
-- Secrets are AES-GCM sealed (secret-box.ts); `corp_key` is the public, unguessable part of the
-- callback URL, so the URL names no tenant and no corp id.
CREATE TABLE wecom_corps (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  unit_id uuid NOT NULL,
  name text NOT NULL,
  corp_id text NOT NULL,
  agent_id integer,
  base_url text NOT NULL DEFAULT 'https://qyapi.weixin.qq.com',
  corp_key text NOT NULL,
  contact_secret text NOT NULL,
  app_secret text,
  callback_token text NOT NULL,
  callback_aes_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX wecom_corps_key ON wecom_corps (tenant_id, corp_key);
-- Callback lookup before any tenant is known (owner connection), like Segment write keys.
CREATE INDEX wecom_corps_key_lookup ON wecom_corps (corp_key);
CREATE UNIQUE INDEX wecom_corps_corp ON wecom_corps (tenant_id, corp_id) WHERE deleted_at IS NULL;

-- One access token per corp and secret kind, shared by every process; refreshed under an
-- advisory lock so only one process calls gettoken when it expires.
CREATE TABLE wecom_tokens (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  corp_ref uuid NOT NULL,
  kind text NOT NULL,
  token text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, corp_ref, kind)
);

-- Every verified callback, decrypted, stored before the 200. `event_key` is WeCom's identity of
-- the event (change type, ids, CreateTime): a retried or replayed delivery is the same row.
CREATE TABLE wecom_callbacks (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  corp_ref uuid NOT NULL,
  event_key text NOT NULL,
  event text NOT NULL,
  change_type text,
  message text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  error text,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX wecom_callbacks_event ON wecom_callbacks (tenant_id, corp_ref, event_key);

-- The corp's directory and its mapping to Kehu users.
CREATE TABLE wecom_staff (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  corp_ref uuid NOT NULL,
  userid text NOT NULL,
  name text NOT NULL,
  mobile text,
  user_id uuid,
  mapped_by text,
  active boolean NOT NULL DEFAULT true,
  synced_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, corp_ref, userid)
);

-- 渠道活码: a contact way in WeCom plus what Kehu adds (caps, rotation, tags, welcome, channel).
CREATE TABLE wecom_channel_codes (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  corp_ref uuid NOT NULL,
  unit_id uuid NOT NULL,
  name text NOT NULL,
  state text NOT NULL,
  channel text NOT NULL,
  config_id text,
  qr_code text,
  staff jsonb NOT NULL,
  daily_cap integer,
  skip_verify boolean NOT NULL DEFAULT true,
  tags jsonb NOT NULL DEFAULT '[]',
  welcome_text text,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX wecom_channel_codes_state ON wecom_channel_codes (tenant_id, corp_ref, state) WHERE deleted_at IS NULL;

CREATE TABLE wecom_code_daily (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  code_id uuid NOT NULL,
  day date NOT NULL,
  userid text NOT NULL DEFAULT '',
  adds integer NOT NULL DEFAULT 0,
  losses integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, code_id, day, userid)
);

-- One row per (external contact, staff member) relationship, as WeCom's follow_user list.
CREATE TABLE wecom_external_contacts (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  corp_ref uuid NOT NULL,
  external_userid text NOT NULL,
  userid text NOT NULL,
  unit_id uuid NOT NULL,
  name text,
  unionid text,
  state text,
  code_id uuid,
  remark_mobiles jsonb,
  tags jsonb NOT NULL DEFAULT '[]',
  contact_id uuid,
  lead_id uuid,
  profile_id uuid,
  status text NOT NULL DEFAULT 'active',
  added_at timestamptz NOT NULL DEFAULT now(),
  lost_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, corp_ref, external_userid, userid)
);
CREATE INDEX wecom_external_contacts_added ON wecom_external_contacts (tenant_id, corp_ref, added_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['wecom_corps', 'wecom_tokens', 'wecom_callbacks', 'wecom_staff',
    'wecom_channel_codes', 'wecom_code_daily', 'wecom_external_contacts'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

-- Forgotten passwords (issue 9 §5): one-time reset links, the mail outbox that stands in for
-- SMTP when none is configured, and the tenant's time zone (exports state times in it).

-- A reset link is `<id>.<secret>`; only the secret's sha256 is kept. 30 minutes, single use.
CREATE TABLE password_reset_tokens (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  token_hash text NOT NULL,
  -- who asked: NULL for the user themself (forgot-password form), else the admin who sent it
  requested_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX password_reset_tokens_user ON password_reset_tokens (tenant_id, user_id);

-- Mails written instead of sent when KEHU_SMTP_URL is unset (demo installs): admins read them.
CREATE TABLE mail_outbox (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  to_address text NOT NULL,
  subject text NOT NULL,
  body_text text NOT NULL,
  -- what the mail is about, e.g. 'password_reset' (the body carries a secret link)
  kind text NOT NULL,
  -- the user the mail is for: the outbox shows it only to admins who may manage that user
  user_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX mail_outbox_created ON mail_outbox (tenant_id, created_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['password_reset_tokens', 'mail_outbox'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

-- IANA zone the tenant reads times in (exports, reports); China keeps one zone.
ALTER TABLE tenants ADD COLUMN time_zone text NOT NULL DEFAULT 'Asia/Shanghai';

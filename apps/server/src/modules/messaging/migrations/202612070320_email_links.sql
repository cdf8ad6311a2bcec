-- Email (SMTP per tenant), tracked links and opens, bounces (issue 12).
-- The SMTP password is sealed (core/crypto/secret-box.ts); the bounce hook's token is kept as a hash.
ALTER TABLE messaging_settings ADD COLUMN email_host text;
ALTER TABLE messaging_settings ADD COLUMN email_port integer;
-- 'tls' (implicit TLS, 465), 'starttls' (587, required) or 'none' (only for hosts the operator allows)
ALTER TABLE messaging_settings ADD COLUMN email_security text;
ALTER TABLE messaging_settings ADD COLUMN email_user text;
ALTER TABLE messaging_settings ADD COLUMN email_password text;
ALTER TABLE messaging_settings ADD COLUMN email_from text;
ALTER TABLE messaging_settings ADD COLUMN email_bounce_address text;
ALTER TABLE messaging_settings ADD COLUMN email_bounce_token_hash text;

-- At most once for channels without an idempotency key at the provider (SMTP): set, committed,
-- before the provider is called; a retry that finds it set and no result never sends again.
ALTER TABLE messaging_messages ADD COLUMN send_started_at timestamptz;
ALTER TABLE messaging_messages ADD COLUMN opened_at timestamptz;
ALTER TABLE messaging_messages ADD COLUMN bounced_at timestamptz;

-- A short tracked link per (message, link): /k/<tenant><code> redirects only to the URL stored here.
CREATE TABLE messaging_links (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  code text NOT NULL,
  message_id uuid NOT NULL,
  url text NOT NULL,
  clicks integer NOT NULL DEFAULT 0,
  first_clicked_at timestamptz,
  PRIMARY KEY (tenant_id, code)
);
CREATE INDEX messaging_links_message ON messaging_links (tenant_id, message_id);

-- Addresses a hard bounce proved undeliverable (per channel): the guard skips them as `undeliverable`.
CREATE TABLE messaging_undeliverable (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  channel text NOT NULL,
  address text NOT NULL,
  reason text,
  message_id uuid,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, channel, address)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['messaging_links', 'messaging_undeliverable'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;


-- Messaging (issue 12): one send path for journeys, campaigns and people. Every attempt is a row —
-- sent, deferred or skipped with its reason — so a profile's timeline and the log say what happened.
CREATE TABLE messaging_settings (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  quiet_start smallint,
  quiet_end smallint,
  -- [{channel, purpose, max, days}]: e.g. at most 2 marketing SMS per 7 days, across every source.
  caps jsonb NOT NULL DEFAULT '[{"channel":"sms","purpose":"marketing","max":2,"days":7}]',
  webhook_url text,
  -- sealed with core/crypto/secret-box.ts
  webhook_secret text,
  PRIMARY KEY (tenant_id)
);

CREATE TABLE messaging_messages (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  idempotency_key text NOT NULL,
  profile_id uuid NOT NULL,
  channel text NOT NULL CHECK (channel IN ('sms', 'email', 'webhook', 'in_app', 'wecom_private', 'wecom_mass')),
  purpose text NOT NULL CHECK (purpose IN ('marketing', 'service')),
  template_id uuid,
  source_kind text NOT NULL,
  source_id text NOT NULL,
  step_id text,
  owner_user_id uuid,
  status text NOT NULL CHECK (status IN ('queued', 'deferred', 'sent', 'delivered', 'skipped', 'failed')),
  reason text,
  address text,
  subject text,
  body text,
  url text,
  -- the provider's template (SMS TemplateCode) and its parameters, where the channel needs one
  provider_template text,
  template_params jsonb,
  deferred_until timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  provider_ref text,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  delivered_at timestamptz,
  clicked_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX messaging_messages_key ON messaging_messages (tenant_id, idempotency_key);
CREATE INDEX messaging_messages_profile ON messaging_messages (tenant_id, profile_id, created_at DESC);
CREATE INDEX messaging_messages_created ON messaging_messages (tenant_id, created_at DESC);
CREATE INDEX messaging_messages_provider ON messaging_messages (tenant_id, provider_ref) WHERE provider_ref IS NOT NULL;

-- Unsubscribed per channel (email one-click link, SMS "TD" reply, a person's request).
CREATE TABLE messaging_unsubscribes (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  profile_id uuid NOT NULL,
  channel text NOT NULL,
  source text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, profile_id, channel)
);

-- Templates per channel, with segment variants (千人千面: the first variant whose segment matches wins).
CREATE TABLE messaging_templates (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  channel text NOT NULL,
  subject text,
  body text NOT NULL,
  url text,
  -- provider template (SMS TemplateCode) where the channel needs one
  provider_code text,
  variants jsonb NOT NULL DEFAULT '[]',
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['messaging_settings', 'messaging_messages', 'messaging_unsubscribes', 'messaging_templates'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

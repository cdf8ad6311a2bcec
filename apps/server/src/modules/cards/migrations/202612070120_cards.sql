-- 名片 (issue 11): one public card per staff member, its visitors (cookie ids) and their visits.
CREATE TABLE cards (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  -- The public address /c/<token>: tenant id + 128 random bits (see token.ts).
  token text NOT NULL,
  title text,
  photo_url text,
  bio text,
  show_phone boolean NOT NULL DEFAULT false,
  -- [{materialId, title, url}]: the staff member's tracked links, resolved when they save.
  featured jsonb NOT NULL DEFAULT '[]',
  -- The add-me code: a WeCom contact way (channel code) whose state names this card.
  code_id uuid,
  code_state text,
  code_qr text,
  corp_ref uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX cards_user ON cards (tenant_id, user_id);
CREATE UNIQUE INDEX cards_token ON cards (tenant_id, token);
CREATE UNIQUE INDEX cards_state ON cards (tenant_id, code_state) WHERE code_state IS NOT NULL;

CREATE TABLE card_visitors (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  card_id uuid NOT NULL,
  visitor text NOT NULL,
  views integer NOT NULL DEFAULT 1,
  first_at timestamptz NOT NULL DEFAULT now(),
  last_at timestamptz NOT NULL DEFAULT now(),
  notified_at timestamptz NOT NULL DEFAULT now(),
  -- Set when the visitor adds the staff member through the card's code (profiles merged).
  external_userid text,
  PRIMARY KEY (tenant_id, card_id, visitor)
);
CREATE INDEX card_visitors_recent ON card_visitors (tenant_id, card_id, last_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cards', 'card_visitors'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

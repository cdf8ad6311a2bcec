-- 话术库 (R5.2–R5.6): scripts in a two-level category tree per tenant, at company, team or
-- personal scope, with a jieba-token full-text index and usage counts per staff member.

CREATE TABLE script_categories (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  parent_id uuid,
  name text NOT NULL,
  sort integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX script_categories_name ON script_categories (tenant_id, coalesce(parent_id, '00000000-0000-0000-0000-000000000000'::uuid), name);

CREATE TABLE scripts (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  category_id uuid,
  scope text NOT NULL CHECK (scope IN ('company', 'team', 'personal')),
  -- company: visible in the unit's subtree; team: the unit alone; personal: the author alone
  unit_id uuid NOT NULL,
  author_id uuid NOT NULL,
  stages text[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  enabled boolean NOT NULL DEFAULT true,
  -- jieba tokens of title and body, space-separated: the 'simple' config only splits on spaces,
  -- so the same index works on PostgreSQL and PGlite without a Chinese parser extension
  tokens text NOT NULL DEFAULT '',
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED,
  use_count integer NOT NULL DEFAULT 0,
  last_used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX scripts_search ON scripts USING gin (search);
CREATE INDEX scripts_unit ON scripts (tenant_id, unit_id);
CREATE INDEX scripts_category ON scripts (tenant_id, category_id);

CREATE TABLE script_uses (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  script_id uuid NOT NULL,
  user_id uuid NOT NULL,
  uses integer NOT NULL DEFAULT 0,
  last_used_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, script_id, user_id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['script_categories', 'scripts', 'script_uses'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

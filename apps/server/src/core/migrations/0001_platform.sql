-- Platform tables: tenants, org units, users, roles, sessions, API keys, metadata,
-- audit, outbox, jobs, idempotency, saved views, imports.
-- Every tenant table carries tenant_id in its primary key and every unique key (Citus-ready)
-- and has forced row-level security keyed on the `app.tenant_id` setting.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kehu_app') THEN
    CREATE ROLE kehu_app NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$
BEGIN
  EXECUTE format('GRANT kehu_app TO %I', current_user);
EXCEPTION WHEN others THEN NULL; -- already a member, or a superuser
END $$;

GRANT USAGE ON SCHEMA public TO kehu_app;

CREATE OR REPLACE FUNCTION kehu_tenant() RETURNS uuid
  LANGUAGE sql STABLE AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE TABLE tenants (
  id uuid PRIMARY KEY,
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  authz_version integer NOT NULL DEFAULT 1,
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_self ON tenants USING (id = kehu_tenant());
GRANT SELECT, UPDATE ON tenants TO kehu_app;

CREATE TABLE units (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  parent_id uuid,
  name text NOT NULL,
  type text NOT NULL,
  code text,
  path text NOT NULL,
  depth integer NOT NULL,
  sort integer NOT NULL DEFAULT 0,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX units_code ON units (tenant_id, code) WHERE code IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX units_path ON units (tenant_id, path text_pattern_ops);

CREATE TABLE users (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  login text NOT NULL,
  name text NOT NULL,
  email text,
  phone text,
  unit_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  password_hash text,
  locale text NOT NULL DEFAULT 'zh-CN',
  failed_logins integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  last_login_at timestamptz,
  password_changed_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX users_login ON users (tenant_id, lower(login));
CREATE INDEX users_unit ON users (tenant_id, unit_id);

CREATE TABLE roles (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  description text,
  permissions text[] NOT NULL DEFAULT '{}',
  data_scopes jsonb NOT NULL DEFAULT '{}',
  field_access jsonb NOT NULL DEFAULT '{}',
  is_system boolean NOT NULL DEFAULT false,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX roles_name ON roles (tenant_id, name);

CREATE TABLE user_roles (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  user_id uuid NOT NULL,
  role_id uuid NOT NULL,
  PRIMARY KEY (tenant_id, user_id, role_id)
);

CREATE TABLE sessions (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  token_hash text NOT NULL,
  user_id uuid NOT NULL,
  csrf_token text NOT NULL,
  ip text,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX sessions_id ON sessions (id);

CREATE TABLE api_keys (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  prefix text NOT NULL,
  key_hash text NOT NULL,
  scopes text[] NOT NULL DEFAULT '{}',
  user_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX api_keys_id ON api_keys (id);

CREATE TABLE object_defs (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  api_name text NOT NULL,
  label jsonb NOT NULL,
  plural_label jsonb NOT NULL,
  icon text,
  is_custom boolean NOT NULL DEFAULT true,
  layout jsonb,
  list_columns jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, api_name)
);

CREATE TABLE field_defs (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  object_api_name text NOT NULL,
  api_name text NOT NULL,
  type text NOT NULL,
  label jsonb NOT NULL,
  required boolean NOT NULL DEFAULT false,
  is_unique boolean NOT NULL DEFAULT false,
  default_value jsonb,
  options jsonb,
  lookup_object text,
  validation jsonb NOT NULL DEFAULT '{}',
  classification text NOT NULL DEFAULT 'internal',
  personal_kind text,
  sort integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, object_api_name, api_name)
);

CREATE TABLE audit_log (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid,
  actor_kind text NOT NULL,
  action text NOT NULL,
  object text,
  record_id uuid,
  changes jsonb,
  meta jsonb,
  ip text,
  request_id text,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_record ON audit_log (tenant_id, object, record_id, id DESC);
CREATE INDEX audit_at ON audit_log (tenant_id, id DESC);

CREATE TABLE outbox (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  type text NOT NULL,
  object text,
  record_id uuid,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  dispatched_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outbox_pending ON outbox (id) WHERE dispatched_at IS NULL;

CREATE TABLE jobs (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  queue text NOT NULL,
  payload jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'dead')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 5,
  run_at timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz,
  locked_by text,
  last_error text,
  dedupe_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX jobs_ready ON jobs (run_at) WHERE status IN ('pending', 'running');
CREATE UNIQUE INDEX jobs_dedupe ON jobs (tenant_id, queue, dedupe_key) WHERE dedupe_key IS NOT NULL AND status IN ('pending', 'running');

CREATE TABLE idempotency_keys (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  principal uuid NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status_code integer,
  response jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, principal, key)
);

CREATE TABLE saved_views (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  object text NOT NULL,
  name text NOT NULL,
  owner_id uuid NOT NULL,
  shared boolean NOT NULL DEFAULT false,
  filter jsonb,
  columns jsonb,
  sort text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX saved_views_object ON saved_views (tenant_id, object);

CREATE TABLE imports (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  object text NOT NULL,
  filename text NOT NULL,
  format text NOT NULL,
  encoding text NOT NULL,
  size_bytes bigint NOT NULL DEFAULT 0,
  headers jsonb NOT NULL DEFAULT '[]',
  status text NOT NULL DEFAULT 'uploaded',
  mapping jsonb,
  dedupe_key text,
  mode text NOT NULL DEFAULT 'create',
  dry_run boolean NOT NULL DEFAULT false,
  total_rows integer,
  processed_rows integer NOT NULL DEFAULT 0,
  created_count integer NOT NULL DEFAULT 0,
  updated_count integer NOT NULL DEFAULT 0,
  failed_count integer NOT NULL DEFAULT 0,
  error text,
  created_by uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE import_chunks (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  import_id uuid NOT NULL,
  seq integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (tenant_id, import_id, seq)
);

CREATE TABLE import_errors (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  import_id uuid NOT NULL,
  line integer NOT NULL,
  field text NOT NULL DEFAULT '',
  message text NOT NULL,
  raw jsonb,
  PRIMARY KEY (tenant_id, import_id, line, field)
);

-- Reference data shared by all tenants (not tenant data): GB/T 2260 region codes.
CREATE TABLE regions (
  code text PRIMARY KEY,
  parent_code text,
  level smallint NOT NULL,
  name_zh text NOT NULL,
  name_en text NOT NULL
);
CREATE INDEX regions_parent ON regions (parent_code);
GRANT SELECT ON regions TO kehu_app;

-- Records of custom objects share one table; their fields live in `data`.
CREATE TABLE custom_records (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  object text NOT NULL,
  name text,
  owner_id uuid NOT NULL,
  unit_id uuid NOT NULL,
  data jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX custom_records_object ON custom_records (tenant_id, object, id);
CREATE INDEX custom_records_unit ON custom_records (tenant_id, object, unit_id, id);
CREATE INDEX custom_records_owner ON custom_records (tenant_id, object, owner_id, id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['units','users','roles','user_roles','sessions','api_keys','object_defs',
    'field_defs','outbox','jobs','idempotency_keys','saved_views','imports','import_chunks',
    'import_errors','custom_records']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

-- The audit log is append-only for the application.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT ON audit_log TO kehu_app;

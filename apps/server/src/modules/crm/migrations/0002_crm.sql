-- CRM standard objects of the foundation: customers (companies and persons) and contacts.
-- Core fields are typed columns; custom fields live in `custom` (described by field_defs).

CREATE TABLE customers (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  owner_id uuid NOT NULL,
  unit_id uuid NOT NULL,
  name text NOT NULL,
  kind text NOT NULL DEFAULT 'company',
  phone text,
  email text,
  industry text,
  level text,
  source text,
  region text,
  address text,
  website text,
  annual_revenue jsonb,
  employees integer,
  is_key_account boolean NOT NULL DEFAULT false,
  last_contacted_at timestamptz,
  remark text,
  custom jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX customers_unit ON customers (tenant_id, unit_id, id);
CREATE INDEX customers_owner ON customers (tenant_id, owner_id, id);
CREATE INDEX customers_region ON customers (tenant_id, region, id);
CREATE INDEX customers_phone ON customers (tenant_id, phone);
CREATE INDEX customers_updated ON customers (tenant_id, updated_at, id);

CREATE TABLE contacts (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  owner_id uuid NOT NULL,
  unit_id uuid NOT NULL,
  customer_id uuid,
  name text NOT NULL,
  phone text,
  email text,
  title text,
  gender text,
  birthday date,
  wechat text,
  is_primary boolean NOT NULL DEFAULT false,
  remark text,
  custom jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX contacts_customer ON contacts (tenant_id, customer_id, id);
CREATE INDEX contacts_unit ON contacts (tenant_id, unit_id, id);
CREATE INDEX contacts_owner ON contacts (tenant_id, owner_id, id);
CREATE INDEX contacts_phone ON contacts (tenant_id, phone);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customers', 'contacts']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

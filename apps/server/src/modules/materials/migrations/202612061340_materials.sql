-- 素材库 (R5.2–R5.6): materials owned by a unit (HQ publishes to its subtree), their files
-- (poster images, PDFs) stored in PostgreSQL, tracked shares with forward chains, reader
-- sessions with beacon dedupe, leads left on the reader page and composed posters per staff.
CREATE TABLE materials (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  unit_id uuid NOT NULL,
  kind text NOT NULL,
  title text NOT NULL,
  summary text,
  category text,
  tags text[] NOT NULL DEFAULT '{}',
  cover_url text,
  body_html text,
  link_url text,
  mini jsonb,
  -- Where the staff member's QR goes on a poster: fractions of the image {x, y, size}.
  qr_slot jsonb,
  file_mime text,
  file_name text,
  file_size integer,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX materials_unit ON materials (tenant_id, unit_id) WHERE deleted_at IS NULL;

CREATE TABLE material_files (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  material_id uuid NOT NULL,
  bytes bytea NOT NULL,
  PRIMARY KEY (tenant_id, material_id)
);

CREATE TABLE material_posters (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  material_id uuid NOT NULL,
  staff_id uuid NOT NULL,
  -- The poster version and QR target it was composed from: a change composes again.
  source text NOT NULL,
  png bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, material_id, staff_id)
);

CREATE TABLE material_shares (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  token text NOT NULL,
  material_id uuid NOT NULL,
  staff_id uuid NOT NULL,
  parent_id uuid,
  depth integer NOT NULL DEFAULT 0,
  profile_id uuid,
  customer_id uuid,
  customer_name text,
  -- An identity the CDP already knows for the reader, so events land on the right profile.
  anchor jsonb,
  -- The reader (visitor id) who forwarded the parent link: one child link per reader.
  forwarded_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX material_shares_token ON material_shares (tenant_id, token);
CREATE INDEX material_shares_material ON material_shares (tenant_id, material_id);
CREATE UNIQUE INDEX material_shares_forward ON material_shares (tenant_id, parent_id, forwarded_by) WHERE parent_id IS NOT NULL;

CREATE TABLE material_reads (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  share_id uuid NOT NULL,
  material_id uuid NOT NULL,
  visitor text NOT NULL,
  seconds integer NOT NULL DEFAULT 0,
  beats integer NOT NULL DEFAULT 0,
  notified_at timestamptz,
  opened_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX material_reads_visitor ON material_reads (tenant_id, share_id, visitor);
CREATE INDEX material_reads_material ON material_reads (tenant_id, material_id);

-- One row per beacon sequence number: a beacon the browser retries is counted once.
CREATE TABLE material_beats (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  read_id uuid NOT NULL,
  seq integer NOT NULL,
  PRIMARY KEY (tenant_id, read_id, seq)
);

CREATE TABLE material_leads (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  share_id uuid NOT NULL,
  material_id uuid NOT NULL,
  staff_id uuid NOT NULL,
  lead_id uuid,
  phone text NOT NULL,
  name text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX material_leads_phone ON material_leads (tenant_id, material_id, phone);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['materials', 'material_files', 'material_posters', 'material_shares',
    'material_reads', 'material_beats', 'material_leads'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

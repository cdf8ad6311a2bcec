-- Dealer network (issue 14): 招商 applications with documents and notes, the ERP's inbound
-- receipts (idempotent per external id) and shipments, and HQ tasks with one row per target unit.

CREATE TABLE dnw_recruit_forms (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  form_key text NOT NULL,
  unit_id uuid NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, form_key)
);

CREATE TABLE dnw_applications (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  reference text NOT NULL,
  company text NOT NULL,
  company_key text NOT NULL,
  contact_name text NOT NULL,
  phone text NOT NULL,
  email text,
  region text NOT NULL,
  category text NOT NULL,
  message text,
  stage text NOT NULL DEFAULT 'new',
  unit_id uuid NOT NULL,
  contract_no text,
  reject_reason text,
  dealer_unit_id uuid,
  dealer_user_id uuid,
  ip text,
  created_at timestamptz NOT NULL DEFAULT now(),
  stage_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  CHECK (stage IN ('new', 'reviewing', 'pending_approval', 'qualified', 'rejected', 'contract', 'onboarded'))
);
-- One open application per phone and per company: a second one is a duplicate, not a new lead.
CREATE UNIQUE INDEX dnw_applications_open_phone ON dnw_applications (tenant_id, phone)
  WHERE stage NOT IN ('rejected', 'onboarded');
CREATE UNIQUE INDEX dnw_applications_open_company ON dnw_applications (tenant_id, company_key)
  WHERE stage NOT IN ('rejected', 'onboarded');
CREATE INDEX dnw_applications_unit ON dnw_applications (tenant_id, unit_id, created_at);

CREATE TABLE dnw_application_documents (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  application_id uuid NOT NULL,
  name text NOT NULL,
  kind text NOT NULL,
  mime text NOT NULL,
  size integer NOT NULL,
  bytes bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, application_id) REFERENCES dnw_applications (tenant_id, id)
);
CREATE INDEX dnw_application_documents_app ON dnw_application_documents (tenant_id, application_id);

CREATE TABLE dnw_application_notes (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  application_id uuid NOT NULL,
  text text NOT NULL,
  author_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  FOREIGN KEY (tenant_id, application_id) REFERENCES dnw_applications (tenant_id, id)
);
CREATE INDEX dnw_application_notes_app ON dnw_application_notes (tenant_id, application_id, created_at);

CREATE TABLE dnw_erp_receipts (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  kind text NOT NULL,
  external_id text NOT NULL,
  request_hash text NOT NULL,
  received_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, kind, external_id)
);

CREATE TABLE dnw_erp_shipments (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  order_id uuid NOT NULL,
  carrier text NOT NULL,
  tracking_no text NOT NULL,
  shipped_at timestamptz,
  external_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX dnw_erp_shipments_order ON dnw_erp_shipments (tenant_id, order_id);

CREATE TABLE dnw_tasks (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  title text NOT NULL,
  body text,
  kind text NOT NULL,
  link text,
  due_at timestamptz NOT NULL,
  proof text NOT NULL,
  unit_id uuid NOT NULL,
  target_root_ids jsonb NOT NULL,
  unit_types jsonb NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id),
  CHECK (kind IN ('task', 'campaign', 'material')),
  CHECK (proof IN ('text', 'photo', 'checkbox'))
);
CREATE INDEX dnw_tasks_unit ON dnw_tasks (tenant_id, unit_id, created_at);

CREATE TABLE dnw_task_targets (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  task_id uuid NOT NULL,
  unit_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'open',
  completed_at timestamptz,
  completed_by uuid,
  proof_text text,
  proof_checked boolean,
  photo bytea,
  photo_mime text,
  reminded_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, task_id, unit_id),
  FOREIGN KEY (tenant_id, task_id) REFERENCES dnw_tasks (tenant_id, id),
  CHECK (status IN ('open', 'done'))
);
CREATE INDEX dnw_task_targets_unit ON dnw_task_targets (tenant_id, unit_id, status);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['dnw_recruit_forms', 'dnw_applications', 'dnw_application_documents',
    'dnw_application_notes', 'dnw_erp_receipts', 'dnw_erp_shipments', 'dnw_tasks', 'dnw_task_targets'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
  END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE ON dnw_recruit_forms, dnw_applications, dnw_erp_shipments, dnw_tasks,
  dnw_task_targets TO kehu_app;
-- Documents, notes and ERP receipts are append-only for the application role.
GRANT SELECT, INSERT ON dnw_application_documents, dnw_application_notes, dnw_erp_receipts TO kehu_app;

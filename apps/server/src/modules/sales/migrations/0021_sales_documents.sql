-- Sales documents: catalogue (products, price lists), quotes with lines, contracts, orders with
-- payment plans, receipts (payments), targets, and the customer "future pipeline value" read model.

CREATE TABLE products (
  tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid NOT NULL, owner_id uuid NOT NULL, unit_id uuid NOT NULL,
  name text NOT NULL, code text, category text, uom text, list_price jsonb, tax_rate numeric, is_active boolean NOT NULL DEFAULT true,
  description text,
  custom jsonb NOT NULL DEFAULT '{}', version integer NOT NULL DEFAULT 1, created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid, updated_at timestamptz NOT NULL DEFAULT now(), updated_by uuid, deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX products_code ON products (tenant_id, code);

CREATE TABLE price_lists (
  tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid NOT NULL, owner_id uuid NOT NULL, unit_id uuid NOT NULL,
  name text NOT NULL, product_id uuid, currency text NOT NULL DEFAULT 'CNY', tiers jsonb, valid_from date, valid_to date,
  is_active boolean NOT NULL DEFAULT true,
  custom jsonb NOT NULL DEFAULT '{}', version integer NOT NULL DEFAULT 1, created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid, updated_at timestamptz NOT NULL DEFAULT now(), updated_by uuid, deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX price_lists_product ON price_lists (tenant_id, product_id);

CREATE TABLE quotes (
  tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid NOT NULL, owner_id uuid NOT NULL, unit_id uuid NOT NULL,
  name text NOT NULL, customer_id uuid, opportunity_id uuid, contact_id uuid, status text NOT NULL DEFAULT 'draft',
  currency text NOT NULL DEFAULT 'CNY', subtotal jsonb, discount_total jsonb, tax_total jsonb, total jsonb,
  discount_percent numeric, valid_until date, channel text, notes text,
  custom jsonb NOT NULL DEFAULT '{}', version integer NOT NULL DEFAULT 1, created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid, updated_at timestamptz NOT NULL DEFAULT now(), updated_by uuid, deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX quotes_customer ON quotes (tenant_id, customer_id, id);
CREATE INDEX quotes_opportunity ON quotes (tenant_id, opportunity_id);
CREATE INDEX quotes_unit ON quotes (tenant_id, unit_id, id);
CREATE INDEX quotes_owner ON quotes (tenant_id, owner_id, id);

CREATE TABLE quote_lines (
  tenant_id uuid NOT NULL REFERENCES tenants(id), quote_id uuid NOT NULL, id uuid NOT NULL, seq integer NOT NULL,
  product_id uuid, product_name text NOT NULL, description text,
  quantity numeric NOT NULL, list_unit_price bigint NOT NULL, unit_price bigint NOT NULL,
  discount_percent numeric NOT NULL DEFAULT 0, tax_rate numeric NOT NULL DEFAULT 0,
  gross bigint NOT NULL, discount bigint NOT NULL, net bigint NOT NULL, tax bigint NOT NULL, total bigint NOT NULL,
  PRIMARY KEY (tenant_id, quote_id, id)
);

CREATE TABLE contracts (
  tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid NOT NULL, owner_id uuid NOT NULL, unit_id uuid NOT NULL,
  name text NOT NULL, contract_no text, customer_id uuid, quote_id uuid, opportunity_id uuid, amount jsonb,
  status text NOT NULL DEFAULT 'draft', signed_at date, start_date date, end_date date, channel text,
  custom jsonb NOT NULL DEFAULT '{}', version integer NOT NULL DEFAULT 1, created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid, updated_at timestamptz NOT NULL DEFAULT now(), updated_by uuid, deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX contracts_customer ON contracts (tenant_id, customer_id, id);
CREATE INDEX contracts_unit ON contracts (tenant_id, unit_id, id);
CREATE INDEX contracts_owner ON contracts (tenant_id, owner_id, id);

CREATE TABLE orders (
  tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid NOT NULL, owner_id uuid NOT NULL, unit_id uuid NOT NULL,
  name text NOT NULL, customer_id uuid, contract_id uuid, quote_id uuid, opportunity_id uuid, amount jsonb,
  amount_minor bigint GENERATED ALWAYS AS (((amount->>'amount'))::bigint) STORED,
  status text NOT NULL DEFAULT 'draft', paid_amount jsonb, payment_status text NOT NULL DEFAULT 'unpaid',
  order_date date, confirmed_at timestamptz, shipped_at timestamptz, completed_at timestamptz, channel text,
  custom jsonb NOT NULL DEFAULT '{}', version integer NOT NULL DEFAULT 1, created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid, updated_at timestamptz NOT NULL DEFAULT now(), updated_by uuid, deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX orders_customer ON orders (tenant_id, customer_id, id);
CREATE INDEX orders_contract ON orders (tenant_id, contract_id);
CREATE INDEX orders_unit ON orders (tenant_id, unit_id, id);
CREATE INDEX orders_owner ON orders (tenant_id, owner_id, id);
CREATE INDEX orders_created ON orders (tenant_id, created_at);

CREATE TABLE payment_plan_items (
  tenant_id uuid NOT NULL REFERENCES tenants(id), order_id uuid NOT NULL, seq integer NOT NULL,
  due_date date NOT NULL, amount bigint NOT NULL, note text,
  PRIMARY KEY (tenant_id, order_id, seq)
);

CREATE TABLE payments (
  tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid NOT NULL, owner_id uuid NOT NULL, unit_id uuid NOT NULL,
  name text, order_id uuid, customer_id uuid, amount jsonb, paid_at date, method text, reference text, remark text,
  custom jsonb NOT NULL DEFAULT '{}', version integer NOT NULL DEFAULT 1, created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid, updated_at timestamptz NOT NULL DEFAULT now(), updated_by uuid, deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX payments_order ON payments (tenant_id, order_id);
CREATE INDEX payments_customer ON payments (tenant_id, customer_id, id);
CREATE INDEX payments_unit ON payments (tenant_id, unit_id, id);
CREATE INDEX payments_owner ON payments (tenant_id, owner_id, id);

CREATE TABLE targets (
  tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid NOT NULL, owner_id uuid NOT NULL, unit_id uuid NOT NULL,
  name text NOT NULL, scope_type text NOT NULL DEFAULT 'user', target_user_id uuid, target_unit_id uuid,
  period_type text NOT NULL DEFAULT 'month', period text NOT NULL, basis text NOT NULL DEFAULT 'won',
  amount jsonb, target_count numeric,
  custom jsonb NOT NULL DEFAULT '{}', version integer NOT NULL DEFAULT 1, created_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid, updated_at timestamptz NOT NULL DEFAULT now(), updated_by uuid, deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX targets_period ON targets (tenant_id, period);
CREATE INDEX targets_unit ON targets (tenant_id, unit_id, id);
CREATE INDEX targets_owner ON targets (tenant_id, owner_id, id);

-- R2.3 "future pipeline value" business tag, refreshed from opportunity events.
CREATE TABLE customer_pipeline_value (
  tenant_id uuid NOT NULL REFERENCES tenants(id), customer_id uuid NOT NULL,
  open_count integer NOT NULL, open_amount bigint NOT NULL, weighted_amount bigint NOT NULL,
  tag text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, customer_id)
);

CREATE TABLE sales_settings (
  tenant_id uuid NOT NULL REFERENCES tenants(id) PRIMARY KEY,
  settings jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['products', 'price_lists', 'quotes', 'quote_lines', 'contracts', 'orders',
    'payment_plan_items', 'payments', 'targets', 'customer_pipeline_value', 'sales_settings']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

CREATE TABLE approval_flows (
  tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid NOT NULL,
  object text NOT NULL, name jsonb NOT NULL, condition jsonb, steps jsonb NOT NULL,
  priority integer NOT NULL DEFAULT 100, is_active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX approval_flows_object ON approval_flows (tenant_id, object);

CREATE TABLE approval_requests (
  tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid NOT NULL, flow_id uuid NOT NULL,
  object text NOT NULL, record_id uuid NOT NULL, record_name text, summary jsonb NOT NULL DEFAULT '{}',
  requester_id uuid NOT NULL, requester_unit_id uuid NOT NULL,
  status text NOT NULL, current_step integer NOT NULL DEFAULT 0, steps jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(), decided_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX approval_requests_record ON approval_requests (tenant_id, object, record_id);
CREATE UNIQUE INDEX approval_requests_one_pending ON approval_requests (tenant_id, object, record_id) WHERE status = 'pending';
CREATE INDEX approval_requests_requester ON approval_requests (tenant_id, requester_id, created_at);
CREATE INDEX approval_requests_pending ON approval_requests (tenant_id, status) WHERE status = 'pending';

CREATE TABLE approval_actions (
  tenant_id uuid NOT NULL REFERENCES tenants(id), id uuid NOT NULL, request_id uuid NOT NULL,
  step integer NOT NULL, actor_id uuid, action text NOT NULL, comment text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX approval_actions_request ON approval_actions (tenant_id, request_id, at);
CREATE INDEX approval_actions_actor ON approval_actions (tenant_id, actor_id, at);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['approval_flows', 'approval_requests', 'approval_actions']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

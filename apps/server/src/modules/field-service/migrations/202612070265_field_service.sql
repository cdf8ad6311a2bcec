-- Field service (R8.1): technicians with skills and service areas, appointment slots with capacity,
-- work orders from tickets (check-in/out with GPS, photos, parts, the customer's signature).
CREATE TABLE fs_technicians (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  user_id uuid NOT NULL,
  skills text[] NOT NULL DEFAULT '{}',
  areas text[] NOT NULL DEFAULT '{}',
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, user_id)
);

-- A technician's appointment windows. `booked` never exceeds `capacity` (the CHECK is the last line;
-- booking is a conditional UPDATE, so two dispatchers racing for the last place cannot both win).
CREATE TABLE fs_slots (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  technician_id uuid NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  capacity smallint NOT NULL DEFAULT 1 CHECK (capacity BETWEEN 1 AND 10),
  booked smallint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, id),
  CHECK (booked >= 0 AND booked <= capacity),
  CHECK (ends_at > starts_at)
);
CREATE UNIQUE INDEX fs_slots_start ON fs_slots (tenant_id, technician_id, starts_at);
CREATE INDEX fs_slots_day ON fs_slots (tenant_id, starts_at);

CREATE TABLE fs_work_orders (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  number text NOT NULL,
  ticket_id uuid NOT NULL,
  unit_id uuid NOT NULL,
  technician_id uuid NOT NULL,
  slot_id uuid NOT NULL,
  skill text NOT NULL,
  area text NOT NULL,
  address text NOT NULL,
  lat double precision,
  lng double precision,
  customer_name text,
  customer_phone text,
  status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'checked_in', 'completed', 'cancelled')),
  check_in_at timestamptz,
  check_in_lat double precision,
  check_in_lng double precision,
  check_in_distance_m integer,
  check_out_at timestamptz,
  check_out_lat double precision,
  check_out_lng double precision,
  check_out_distance_m integer,
  parts jsonb NOT NULL DEFAULT '[]',
  notes text,
  signature bytea,
  signed_by text,
  ticket_closed boolean NOT NULL DEFAULT false,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX fs_work_orders_number ON fs_work_orders (tenant_id, number);
-- One live work order per ticket.
CREATE UNIQUE INDEX fs_work_orders_ticket ON fs_work_orders (tenant_id, ticket_id) WHERE status <> 'cancelled';
CREATE INDEX fs_work_orders_technician ON fs_work_orders (tenant_id, technician_id, status);

CREATE TABLE fs_photos (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  work_order_id uuid NOT NULL,
  bytes bytea NOT NULL,
  width integer NOT NULL,
  height integer NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX fs_photos_order ON fs_photos (tenant_id, work_order_id, created_at);

-- Predictive service (R8.3): a saved CDP segment + a ticket category + a daily cap.
CREATE TABLE fs_predictive_rules (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  unit_id uuid NOT NULL,
  name text NOT NULL,
  segment_id uuid NOT NULL,
  category_key text NOT NULL,
  priority text NOT NULL DEFAULT 'normal',
  daily_cap integer NOT NULL CHECK (daily_cap BETWEEN 1 AND 1000),
  period text NOT NULL DEFAULT 'month' CHECK (period IN ('month', 'quarter', 'year')),
  active boolean NOT NULL DEFAULT true,
  last_run_at timestamptz,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (tenant_id, id)
);

-- At most one ticket per rule, member (profile or record) and period: the key is the idempotency.
CREATE TABLE fs_predictive_runs (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  rule_id uuid NOT NULL,
  subject_id uuid NOT NULL,
  period text NOT NULL,
  ticket_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, rule_id, subject_id, period)
);
CREATE INDEX fs_predictive_runs_day ON fs_predictive_runs (tenant_id, rule_id, created_at);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['fs_technicians', 'fs_slots', 'fs_work_orders', 'fs_photos', 'fs_predictive_rules', 'fs_predictive_runs'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

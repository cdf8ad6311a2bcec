-- 服务工单 (issue 13): tickets, categories with their own form fields, SLA policies measured in
-- business time (a per-tenant calendar with China's holidays and adjusted working days), agent
-- skills for assignment, conversation (replies vs internal notes), attachments, history, links,
-- and the knowledge base.

CREATE TABLE service_calendars (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  -- minutes east of UTC of the working hours (China: +480, no daylight saving)
  utc_offset_minutes integer NOT NULL DEFAULT 480 CHECK (utc_offset_minutes BETWEEN -720 AND 840),
  -- working window, minutes after local midnight
  day_start integer NOT NULL DEFAULT 540 CHECK (day_start BETWEEN 0 AND 1439),
  day_end integer NOT NULL DEFAULT 1080 CHECK (day_end BETWEEN 1 AND 1440),
  -- ISO weekdays (1 = Monday … 7 = Sunday) that are working days unless a day says otherwise
  weekdays integer[] NOT NULL DEFAULT '{1,2,3,4,5}',
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id),
  CHECK (day_end > day_start)
);

-- Holidays (放假) and adjusted working days (调休上班) that override the weekday rule.
CREATE TABLE service_calendar_days (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  day date NOT NULL,
  kind text NOT NULL CHECK (kind IN ('holiday', 'workday')),
  name text NOT NULL,
  PRIMARY KEY (tenant_id, day)
);

CREATE TABLE service_categories (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  key text NOT NULL,
  name text NOT NULL,
  name_en text,
  -- [{ key, label, type: text|number|date|select|boolean, required, options[] }]
  fields jsonb NOT NULL DEFAULT '[]',
  sort integer NOT NULL DEFAULT 0,
  active boolean NOT NULL DEFAULT true,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX service_categories_key ON service_categories (tenant_id, key);

-- First-response and resolution targets in business minutes; the most specific row wins
-- (category + priority + tier, then without tier, then any category).
CREATE TABLE service_sla_policies (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  category_key text,
  priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  tier text,
  first_response_minutes integer NOT NULL CHECK (first_response_minutes BETWEEN 1 AND 525600),
  resolution_minutes integer NOT NULL CHECK (resolution_minutes BETWEEN 1 AND 525600),
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX service_sla_policies_key
  ON service_sla_policies (tenant_id, coalesce(category_key, ''), priority, coalesce(tier, ''));

-- Who handles which categories ('*' = all); last_assigned_at is the round-robin tie-break.
CREATE TABLE service_agent_skills (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  user_id uuid NOT NULL,
  category_key text NOT NULL,
  last_assigned_at timestamptz,
  PRIMARY KEY (tenant_id, user_id, category_key)
);

CREATE TABLE service_counters (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  name text NOT NULL,
  value bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, name)
);

CREATE TABLE service_tickets (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  number text NOT NULL,
  subject text NOT NULL,
  description text NOT NULL DEFAULT '',
  category_key text NOT NULL,
  priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
  channel text NOT NULL CHECK (channel IN ('form', 'sidebar', 'phone', 'email', 'api', 'card_page', 'survey', 'predictive', 'field')),
  kind text NOT NULL DEFAULT 'request' CHECK (kind IN ('request', 'complaint')),
  status text NOT NULL DEFAULT 'new'
    CHECK (status IN ('new', 'assigned', 'in_progress', 'waiting_customer', 'resolved', 'closed', 'reopened', 'merged')),
  form jsonb NOT NULL DEFAULT '{}',
  contact_id uuid,
  customer_id uuid,
  profile_id uuid,
  unit_id uuid NOT NULL,
  assignee_id uuid,
  created_by uuid,
  idempotency_key text,
  merged_into uuid,
  split_from uuid,
  tier text,
  -- SLA, in absolute instants computed from business minutes; warn at 80 %
  first_response_due_at timestamptz,
  first_response_warn_at timestamptz,
  first_responded_at timestamptz,
  first_response_breached_at timestamptz,
  resolution_due_at timestamptz,
  resolution_warn_at timestamptz,
  resolution_breached_at timestamptz,
  warned_at jsonb NOT NULL DEFAULT '{}',
  sla_paused_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz,
  reopen_count integer NOT NULL DEFAULT 0,
  last_activity_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX service_tickets_number ON service_tickets (tenant_id, number);
CREATE UNIQUE INDEX service_tickets_idempotency ON service_tickets (tenant_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX service_tickets_list ON service_tickets (tenant_id, created_at DESC, id DESC);
CREATE INDEX service_tickets_unit ON service_tickets (tenant_id, unit_id, created_at DESC);
CREATE INDEX service_tickets_assignee ON service_tickets (tenant_id, assignee_id, status);
CREATE INDEX service_tickets_contact ON service_tickets (tenant_id, contact_id);
CREATE INDEX service_tickets_profile ON service_tickets (tenant_id, profile_id);
CREATE INDEX service_tickets_customer ON service_tickets (tenant_id, customer_id);

CREATE TABLE service_ticket_links (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  ticket_id uuid NOT NULL,
  object text NOT NULL,
  record_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, ticket_id, object, record_id)
);
CREATE INDEX service_ticket_links_record ON service_ticket_links (tenant_id, object, record_id);

-- The conversation: replies go to the customer, notes stay internal, 'customer' is what they wrote.
CREATE TABLE service_ticket_messages (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  ticket_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('reply', 'note', 'customer')),
  body text NOT NULL,
  author_id uuid,
  -- a message moved here by a merge keeps where it came from
  from_ticket_id uuid,
  idempotency_key text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX service_ticket_messages_ticket ON service_ticket_messages (tenant_id, ticket_id, created_at);
CREATE UNIQUE INDEX service_ticket_messages_idem ON service_ticket_messages (tenant_id, ticket_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

CREATE TABLE service_ticket_attachments (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  ticket_id uuid NOT NULL,
  message_id uuid,
  file_name text NOT NULL,
  mime text NOT NULL,
  size integer NOT NULL CHECK (size > 0 AND size <= 5242880),
  content bytea NOT NULL,
  uploaded_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX service_ticket_attachments_ticket ON service_ticket_attachments (tenant_id, ticket_id);

-- Every change of a ticket (status, assignment, priority, SLA, merge, split): the history.
CREATE TABLE service_ticket_events (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  ticket_id uuid NOT NULL,
  type text NOT NULL,
  data jsonb NOT NULL DEFAULT '{}',
  actor_id uuid,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX service_ticket_events_ticket ON service_ticket_events (tenant_id, ticket_id, at);

CREATE TABLE service_kb_articles (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  title text NOT NULL,
  category text NOT NULL DEFAULT '',
  body_html text NOT NULL DEFAULT '',
  body_text text NOT NULL DEFAULT '',
  -- jieba tokens of title (twice) and text, space separated, for search and suggestions
  tokens text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
  public boolean NOT NULL DEFAULT false,
  views integer NOT NULL DEFAULT 0,
  version integer NOT NULL DEFAULT 1,
  created_by uuid,
  updated_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX service_kb_articles_status ON service_kb_articles (tenant_id, status, updated_at DESC);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['service_calendars', 'service_calendar_days', 'service_categories',
    'service_sla_policies', 'service_agent_skills', 'service_counters', 'service_tickets',
    'service_ticket_links', 'service_ticket_messages', 'service_ticket_attachments',
    'service_ticket_events', 'service_kb_articles'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

-- 群发 (R5.2–R5.4): a mass message, its per-customer plan (who gets it from whom, who is excluded
-- and why), and one WeCom add_msg_template task per staff member and batch.
CREATE TABLE outreach_settings (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  quiet_start smallint,
  quiet_end smallint,
  monthly_cap smallint NOT NULL DEFAULT 4,
  PRIMARY KEY (tenant_id)
);

CREATE TABLE outreach_messages (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  corp_ref uuid NOT NULL,
  chat_type text NOT NULL CHECK (chat_type IN ('single', 'group')),
  title text NOT NULL,
  body text,
  attachments jsonb NOT NULL DEFAULT '[]',
  audience jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('planned', 'scheduled', 'sending', 'sent', 'cancelled')),
  scheduled_at timestamptz,
  quiet_moved boolean NOT NULL DEFAULT false,
  unit_id uuid NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX outreach_messages_created ON outreach_messages (tenant_id, created_at DESC);

CREATE TABLE outreach_recipients (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  message_id uuid NOT NULL,
  target text NOT NULL,
  name text,
  profile_id uuid,
  staff_userid text,
  status text NOT NULL,
  reason text,
  msgid text,
  replied_at timestamptz,
  planned_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, message_id, target)
);
CREATE INDEX outreach_recipients_month ON outreach_recipients (tenant_id, target, planned_at);

CREATE TABLE outreach_tasks (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  message_id uuid NOT NULL,
  staff_userid text NOT NULL,
  batch integer NOT NULL,
  msgid text,
  status text NOT NULL CHECK (status IN ('planned', 'pending', 'sent', 'cancelled')),
  recipients integer NOT NULL,
  sent_at timestamptz,
  PRIMARY KEY (tenant_id, message_id, staff_userid, batch)
);

-- SOP (R5.5): rules, and the tasks their steps become for staff members.
CREATE TABLE sop_rules (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('customer', 'group')),
  trigger jsonb NOT NULL,
  steps jsonb NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  -- Contacts WeCom dated after this are new to the rule (WeCom's clock, not ours).
  contacts_since timestamptz,
  unit_id uuid NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE sop_tasks (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  rule_id uuid NOT NULL,
  step integer NOT NULL,
  kind text NOT NULL,
  content text NOT NULL,
  corp_ref uuid,
  target text,
  target_name text,
  staff_userid text,
  user_id uuid,
  unit_id uuid NOT NULL,
  due_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'sent')),
  done_at timestamptz,
  alerted_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX sop_tasks_once ON sop_tasks (tenant_id, rule_id, step, coalesce(target, ''), due_at);
CREATE INDEX sop_tasks_mine ON sop_tasks (tenant_id, user_id, status, due_at);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['outreach_settings', 'outreach_messages', 'outreach_recipients', 'outreach_tasks',
    'sop_rules', 'sop_tasks'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

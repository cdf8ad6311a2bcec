-- Satisfaction surveys (R8.2): a return visit after every closed ticket — one invite per closing,
-- a token for the public page, one answer per invite; low scores reopen the ticket as a complaint.
CREATE TABLE survey_settings (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  enabled boolean NOT NULL DEFAULT true,
  channel text NOT NULL DEFAULT 'sms' CHECK (channel IN ('sms', 'wecom_private')),
  -- minutes after closing; the send moves out of the tenant's quiet hours, always within 24 h
  delay_minutes integer NOT NULL DEFAULT 120 CHECK (delay_minutes BETWEEN 0 AND 1200),
  expires_days integer NOT NULL DEFAULT 7 CHECK (expires_days BETWEEN 1 AND 30),
  -- a score at or below these reopens the ticket as a complaint
  csat_low smallint NOT NULL DEFAULT 2 CHECK (csat_low BETWEEN 0 AND 4),
  nps_low smallint NOT NULL DEFAULT 6 CHECK (nps_low BETWEEN -1 AND 9),
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);

CREATE TABLE survey_invites (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  token text NOT NULL,
  -- the ticket.closed outbox event: a redelivered event makes no second invite
  event_id uuid NOT NULL,
  ticket_id uuid NOT NULL,
  ticket_number text,
  profile_id uuid,
  -- the ticket's unit (store), the assignee and their unit (team), the category: the report's dimensions
  unit_id uuid,
  assignee_id uuid,
  team_unit_id uuid,
  category_key text,
  channel text NOT NULL,
  -- scheduled | sent | skipped (no profile, no consent, no phone …) | answered | expired
  status text NOT NULL CHECK (status IN ('scheduled', 'sent', 'skipped', 'answered')),
  skip_reason text,
  message_id uuid,
  closed_at timestamptz NOT NULL,
  send_at timestamptz NOT NULL,
  sent_at timestamptz,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX survey_invites_token ON survey_invites (tenant_id, token);
CREATE UNIQUE INDEX survey_invites_event ON survey_invites (tenant_id, event_id);
CREATE INDEX survey_invites_ticket ON survey_invites (tenant_id, ticket_id);
CREATE INDEX survey_invites_closed ON survey_invites (tenant_id, closed_at DESC);

-- One answer per invite: the primary key is the invite.
CREATE TABLE survey_answers (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  invite_id uuid NOT NULL,
  csat smallint CHECK (csat BETWEEN 1 AND 5),
  nps smallint CHECK (nps BETWEEN 0 AND 10),
  comment text,
  low boolean NOT NULL,
  reopened boolean NOT NULL DEFAULT false,
  answered_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, invite_id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['survey_settings', 'survey_invites', 'survey_answers'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

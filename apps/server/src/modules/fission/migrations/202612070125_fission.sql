-- 裂变 (issue 11): campaigns, participants with a personal WeCom code each, the adds they brought
-- (anti-fraud status per add) and the rewards issued.
CREATE TABLE fission_campaigns (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  unit_id uuid NOT NULL,
  token text NOT NULL,
  name text NOT NULL,
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  poster_material_id uuid,
  corp_ref uuid NOT NULL,
  staff jsonb NOT NULL,
  invite_target integer NOT NULL,
  reward_type text NOT NULL,
  reward_text text NOT NULL,
  budget numeric(12, 2),
  reward_cost numeric(12, 2) NOT NULL DEFAULT 0,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX fission_campaigns_token ON fission_campaigns (tenant_id, token);

CREATE TABLE fission_participants (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  token text NOT NULL,
  -- The joining browser (cookie id): one participation per browser and campaign.
  visitor text NOT NULL,
  name text NOT NULL,
  staff_userid text NOT NULL,
  code_state text NOT NULL,
  code_id uuid,
  code_qr text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX fission_participants_token ON fission_participants (tenant_id, token);
CREATE UNIQUE INDEX fission_participants_visitor ON fission_participants (tenant_id, campaign_id, visitor);
CREATE UNIQUE INDEX fission_participants_state ON fission_participants (tenant_id, code_state);

CREATE TABLE fission_invites (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  participant_id uuid NOT NULL,
  corp_ref uuid NOT NULL,
  external_userid text NOT NULL,
  userid text NOT NULL,
  -- unionid when WeCom gives one, else the external_userid: one person counts once per campaign.
  person_key text NOT NULL,
  -- counted | duplicate (the person came before) | voided (deleted within 24 h of adding)
  -- | late (added after the campaign ended)
  status text NOT NULL,
  added_at timestamptz NOT NULL,
  lost_at timestamptz,
  event_id uuid NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX fission_invites_event ON fission_invites (tenant_id, event_id);
CREATE UNIQUE INDEX fission_invites_person ON fission_invites (tenant_id, campaign_id, person_key) WHERE status IN ('counted', 'voided');
CREATE INDEX fission_invites_participant ON fission_invites (tenant_id, participant_id);
CREATE INDEX fission_invites_contact ON fission_invites (tenant_id, corp_ref, external_userid, userid);

CREATE TABLE fission_rewards (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  participant_id uuid NOT NULL,
  reward_type text NOT NULL,
  reward_text text NOT NULL,
  cost numeric(12, 2) NOT NULL DEFAULT 0,
  -- issued | disputed (an invite it relied on was deleted within 24 h after it was issued)
  status text NOT NULL DEFAULT 'issued',
  issued_at timestamptz NOT NULL DEFAULT now(),
  disputed_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX fission_rewards_participant ON fission_rewards (tenant_id, participant_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['fission_campaigns', 'fission_participants', 'fission_invites', 'fission_rewards'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

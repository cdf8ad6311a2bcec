-- Customer data platform (R1, R2, R13.1): sources with write keys, a month-partitioned event
-- table (raw payload kept), One ID profiles and identities with reversible merges, tags,
-- segments, consents and per-profile rolling counters for windowed rule conditions.

CREATE TABLE cdp_sources (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('web', 'server', 'app', 'miniprogram', 'pos', 'import')),
  key_prefix text NOT NULL,
  key_hash text NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_event_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
-- Write keys are looked up before the tenant is known (like API keys): by hash, as the owner.
CREATE UNIQUE INDEX cdp_sources_key ON cdp_sources (key_hash);

-- messageId dedupe per source. Kept apart from the partitioned event table because a unique
-- key on a partitioned table must contain the partition column (the event time), and a client
-- retry may carry a different sentAt and so a different corrected time.
CREATE TABLE cdp_message_ids (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  source_id uuid NOT NULL,
  message_id text NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, source_id, message_id)
);
CREATE INDEX cdp_message_ids_received ON cdp_message_ids (received_at);

-- Events, partitioned by month of the (skew-corrected) event time. A default partition
-- catches times outside the months created ahead by the partition job.
CREATE TABLE cdp_events (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  ts timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  source_id uuid NOT NULL,
  message_id text NOT NULL,
  type text NOT NULL,
  event text,
  user_id text,
  anonymous_id text,
  -- the identity the event is attributed by: userId when present, else anonymousId
  ident_kind text NOT NULL,
  ident text NOT NULL,
  properties jsonb NOT NULL DEFAULT '{}',
  raw jsonb NOT NULL,
  PRIMARY KEY (tenant_id, ts, id)
) PARTITION BY RANGE (ts);
CREATE TABLE cdp_events_default PARTITION OF cdp_events DEFAULT;
CREATE INDEX cdp_events_ident ON cdp_events (tenant_id, ident_kind, ident, ts);
CREATE INDEX cdp_events_name ON cdp_events (tenant_id, event, ts);
CREATE INDEX cdp_events_source ON cdp_events (tenant_id, source_id, received_at);

-- Events waiting for identity resolution and rule evaluation (drained by the cdp:process job).
CREATE TABLE cdp_pending (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  seq bigserial NOT NULL,
  event_id uuid NOT NULL,
  ts timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);

-- Live debugger: the last events and rejections per source (trimmed by the ingest path).
CREATE TABLE cdp_debug (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  source_id uuid NOT NULL,
  seq bigserial NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  ok boolean NOT NULL,
  type text,
  message_id text,
  reason text,
  payload jsonb,
  PRIMARY KEY (tenant_id, source_id, seq)
);

CREATE TABLE cdp_profiles (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  -- The profile this one was merged into (null while it is live); canonical_id is the live
  -- root, kept current on merge and split so events resolve with one join.
  merged_into uuid,
  canonical_id uuid NOT NULL,
  traits jsonb NOT NULL DEFAULT '{}',
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX cdp_profiles_canonical ON cdp_profiles (tenant_id, canonical_id);
CREATE INDEX cdp_profiles_live ON cdp_profiles (tenant_id, id) WHERE merged_into IS NULL;

CREATE TABLE cdp_identities (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  kind text NOT NULL,
  -- namespace: wecom corp id, openid app id, custom kind name; '' otherwise
  namespace text NOT NULL DEFAULT '',
  value text NOT NULL,
  profile_id uuid NOT NULL,
  -- the profile that first owned it (a split gives it back)
  origin_profile_id uuid NOT NULL,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  source text,
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX cdp_identities_value ON cdp_identities (tenant_id, kind, namespace, value);
CREATE INDEX cdp_identities_profile ON cdp_identities (tenant_id, profile_id);

CREATE TABLE cdp_merges (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  target_id uuid NOT NULL,
  source_id uuid NOT NULL,
  reason text NOT NULL,
  evidence jsonb NOT NULL,
  moved_identities uuid[] NOT NULL,
  source_traits jsonb NOT NULL,
  target_traits jsonb NOT NULL,
  split_at timestamptz,
  split_by uuid,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX cdp_merges_target ON cdp_merges (tenant_id, target_id, at DESC);
CREATE INDEX cdp_merges_source ON cdp_merges (tenant_id, source_id, at DESC);

-- Per-tenant One ID rules: per kind max per profile, priority, blocked values.
CREATE TABLE cdp_identity_rules (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  kind text NOT NULL,
  max_per_profile integer NOT NULL,
  priority integer NOT NULL,
  blocked text[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (tenant_id, kind)
);

-- CRM records (contact, customer) linked to a profile.
CREATE TABLE cdp_profile_links (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  object text NOT NULL,
  record_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  linked_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, object, record_id)
);
CREATE INDEX cdp_profile_links_profile ON cdp_profile_links (tenant_id, profile_id);

-- Rolling counters: one row per profile, counter (hash of an event condition) and UTC day.
CREATE TABLE cdp_counters (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  profile_id uuid NOT NULL,
  counter text NOT NULL,
  day date NOT NULL,
  n integer NOT NULL DEFAULT 0,
  total double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, profile_id, counter, day)
);
-- Which counters the tenant's rules need (so each event updates only those).
CREATE TABLE cdp_counter_defs (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  counter text NOT NULL,
  def jsonb NOT NULL,
  ready boolean NOT NULL DEFAULT false,
  PRIMARY KEY (tenant_id, counter)
);

CREATE TABLE cdp_tag_groups (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  name text NOT NULL,
  description text,
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE cdp_tags (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  -- 'profile' for people; any record-engine object (e.g. a custom 'vehicle') otherwise (R2.2)
  object text NOT NULL DEFAULT 'profile',
  key text NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('attribute', 'behaviour', 'metric', 'score', 'combined', 'manual', 'crm')),
  group_id uuid,
  description text,
  owner_id uuid,
  rule jsonb,
  -- score tags: [{rule, points}]; metric tags: value expression
  config jsonb NOT NULL DEFAULT '{}',
  lineage jsonb NOT NULL DEFAULT '[]',
  status text NOT NULL DEFAULT 'active',
  backfill_job uuid,
  backfill_total integer,
  backfill_done integer NOT NULL DEFAULT 0,
  backfill_status text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX cdp_tags_key ON cdp_tags (tenant_id, object, key);

-- A tag on a subject (a profile or a record); why/when it was set.
CREATE TABLE cdp_subject_tags (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  tag_id uuid NOT NULL,
  subject_id uuid NOT NULL,
  value jsonb,
  set_at timestamptz NOT NULL DEFAULT now(),
  set_by uuid,
  reason text NOT NULL,
  PRIMARY KEY (tenant_id, tag_id, subject_id)
);
CREATE INDEX cdp_subject_tags_subject ON cdp_subject_tags (tenant_id, subject_id);

CREATE TABLE cdp_segments (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  id uuid NOT NULL,
  object text NOT NULL DEFAULT 'profile',
  name text NOT NULL,
  description text,
  purpose text NOT NULL DEFAULT 'analytics' CHECK (purpose IN ('analytics', 'marketing', 'service')),
  rule jsonb NOT NULL,
  owner_id uuid,
  member_count integer NOT NULL DEFAULT 0,
  computed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);

CREATE TABLE cdp_segment_members (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  segment_id uuid NOT NULL,
  subject_id uuid NOT NULL,
  -- clock time, not transaction start: event-to-segment latency is measured against it
  entered_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (tenant_id, segment_id, subject_id)
);
CREATE INDEX cdp_segment_members_subject ON cdp_segment_members (tenant_id, subject_id);

-- Daily membership counts for the membership chart.
CREATE TABLE cdp_segment_history (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  segment_id uuid NOT NULL,
  day date NOT NULL,
  entered integer NOT NULL DEFAULT 0,
  exited integer NOT NULL DEFAULT 0,
  members integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, segment_id, day)
);

-- PIPL (R13.1): separate, revocable consent per purpose.
CREATE TABLE cdp_consents (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  profile_id uuid NOT NULL,
  purpose text NOT NULL,
  granted boolean NOT NULL,
  source text,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, profile_id, purpose)
);

CREATE TABLE cdp_settings (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  retention_days integer NOT NULL DEFAULT 730,
  PRIMARY KEY (tenant_id)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cdp_sources','cdp_message_ids','cdp_events','cdp_pending','cdp_debug','cdp_profiles',
    'cdp_identities','cdp_merges','cdp_identity_rules','cdp_profile_links','cdp_counters','cdp_counter_defs',
    'cdp_tag_groups','cdp_tags','cdp_subject_tags','cdp_segments','cdp_segment_members','cdp_segment_history',
    'cdp_consents','cdp_settings']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;
GRANT USAGE, SELECT ON SEQUENCE cdp_pending_seq_seq, cdp_debug_seq_seq TO kehu_app;

-- Words people read (issue 9 §3): a tenant's own display names for events and their properties.
-- The standard Segment e-commerce spec is named in code (event-catalogue.service.ts); a row here
-- overrides it, or names an event of the tenant's own. Keyed by the event name as sent.
CREATE TABLE cdp_event_catalogue (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  name text NOT NULL,
  -- 'event' (track), 'page' (page or screen view) or 'crm' (sent by a business system)
  kind text NOT NULL DEFAULT 'event' CHECK (kind IN ('event', 'page', 'crm')),
  label_zh text,
  label_en text,
  description text,
  -- property key → {"zh-CN": …, "en-US": …}
  properties jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  PRIMARY KEY (tenant_id, name)
);

-- Tag coverage over time (issue 9 §5): subjects carrying each tag, one row per tag and day,
-- written by the tick (the day's last figure wins).
CREATE TABLE cdp_tag_history (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  tag_id uuid NOT NULL,
  day date NOT NULL,
  members integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, tag_id, day)
);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['cdp_event_catalogue', 'cdp_tag_history']
  LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY tenant_isolation ON %I USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant())', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO kehu_app', t);
  END LOOP;
END $$;

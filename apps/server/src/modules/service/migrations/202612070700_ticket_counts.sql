-- The queue's counters (GET /service/stats) without reading every ticket (decision 0069): one row
-- per tenant × unit × assignee × status × category holds how many tickets are there, kept by
-- statement-level triggers in the same transaction as the ticket change, whatever path changed it
-- (filing, status, merge, reopen, bulk loads). Deltas are applied in key order, so two
-- transactions moving tickets in opposite directions lock the rows in the same order.

CREATE TABLE service_ticket_counts (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  unit_id uuid NOT NULL,
  -- the nil uuid for unassigned (a primary key column cannot be null)
  assignee_id uuid NOT NULL,
  status text NOT NULL,
  category_key text NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, unit_id, assignee_id, status, category_key)
);
CREATE INDEX service_ticket_counts_assignee ON service_ticket_counts (tenant_id, assignee_id, status);

ALTER TABLE service_ticket_counts ENABLE ROW LEVEL SECURITY;
ALTER TABLE service_ticket_counts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON service_ticket_counts
  USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON service_ticket_counts TO kehu_app;

CREATE FUNCTION service_ticket_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO service_ticket_counts AS c (tenant_id, unit_id, assignee_id, status, category_key, n)
      SELECT tenant_id, unit_id, coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid),
        status, category_key, count(*)
      FROM new_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (tenant_id, unit_id, assignee_id, status, category_key) DO UPDATE SET n = c.n + excluded.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO service_ticket_counts AS c (tenant_id, unit_id, assignee_id, status, category_key, n)
      SELECT tenant_id, unit_id, coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid),
        status, category_key, -count(*)
      FROM old_rows GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (tenant_id, unit_id, assignee_id, status, category_key) DO UPDATE SET n = c.n + excluded.n;
  ELSE
    INSERT INTO service_ticket_counts AS c (tenant_id, unit_id, assignee_id, status, category_key, n)
      SELECT tenant_id, unit_id, a, status, category_key, sum(d) FROM (
        SELECT tenant_id, unit_id, coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid) AS a,
          status, category_key, 1 AS d FROM new_rows
        UNION ALL
        SELECT tenant_id, unit_id, coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid),
          status, category_key, -1 FROM old_rows
      ) x GROUP BY 1, 2, 3, 4, 5 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4, 5
      ON CONFLICT (tenant_id, unit_id, assignee_id, status, category_key) DO UPDATE SET n = c.n + excluded.n;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER service_ticket_counts_ins AFTER INSERT ON service_tickets
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION service_ticket_counts_apply();
CREATE TRIGGER service_ticket_counts_upd AFTER UPDATE ON service_tickets
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION service_ticket_counts_apply();
CREATE TRIGGER service_ticket_counts_del AFTER DELETE ON service_tickets
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION service_ticket_counts_apply();

-- The tickets there already.
INSERT INTO service_ticket_counts (tenant_id, unit_id, assignee_id, status, category_key, n)
  SELECT tenant_id, unit_id, coalesce(assignee_id, '00000000-0000-0000-0000-000000000000'::uuid),
    status, category_key, count(*)
  FROM service_tickets GROUP BY 1, 2, 3, 4, 5;

-- Tickets a scoped reader filed outside their scope are added to the counts one by one.
CREATE INDEX service_tickets_created_by ON service_tickets (tenant_id, created_by) WHERE created_by IS NOT NULL;

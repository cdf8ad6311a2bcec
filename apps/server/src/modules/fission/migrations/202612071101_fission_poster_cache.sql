-- Participants' posters, composed once (issue 11): the PNG kept under a content address — a hash of
-- everything it is made of (the poster material and its version, the QR slot, the participant's code,
-- the plain poster's texts). A changed campaign poster gives a new address, so the next request
-- composes anew and overwrites the row.
CREATE TABLE fission_posters (
  tenant_id uuid NOT NULL REFERENCES tenants(id),
  participant_id uuid NOT NULL,
  key text NOT NULL,
  png bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, participant_id)
);
ALTER TABLE fission_posters ENABLE ROW LEVEL SECURITY;
ALTER TABLE fission_posters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON fission_posters USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON fission_posters TO kehu_app;

-- Quotes are documents (issue 9 §4): revisions, a customer share link, and the letterhead the PDF
-- and the share page print. A revision is a quote row of its own; `revision_of` names the first
-- revision of its chain (null on v1), `superseded_by` the revision that replaced it.
ALTER TABLE quotes ADD COLUMN revision integer NOT NULL DEFAULT 1;
ALTER TABLE quotes ADD COLUMN revision_of uuid;
ALTER TABLE quotes ADD COLUMN superseded_by uuid;
-- The customer's link: an unguessable token (it carries the tenant, see quote-share.service.ts).
ALTER TABLE quotes ADD COLUMN share_token text;
ALTER TABLE quotes ADD COLUMN shared_at timestamptz;
CREATE UNIQUE INDEX quotes_share_token ON quotes (tenant_id, share_token) WHERE share_token IS NOT NULL;
CREATE INDEX quotes_revision_of ON quotes (tenant_id, revision_of) WHERE revision_of IS NOT NULL;

CREATE TABLE quote_settings (
  tenant_id uuid NOT NULL REFERENCES tenants(id) PRIMARY KEY,
  company_name text, address text, phone text, email text,
  -- A data: URL (PNG or JPEG, at most ~200 KB), printed at the top of the PDF and the share page.
  logo text,
  validity_days integer NOT NULL DEFAULT 30,
  terms text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE quote_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE quote_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON quote_settings USING (tenant_id = kehu_tenant()) WITH CHECK (tenant_id = kehu_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON quote_settings TO kehu_app;

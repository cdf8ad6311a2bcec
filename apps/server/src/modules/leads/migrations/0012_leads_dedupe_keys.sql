-- Dedupe lookups must be index scans under row-level security. PostgreSQL only uses an index
-- condition before the RLS policy when its operator is leakproof: `text = text` is,
-- `lower(...)` and `kehu_norm_company(...)` are not, so the expression indexes of 0010 were
-- never used for the application role and each intake scanned every customer. Normalised keys
-- become stored columns compared with plain `=` (emails are stored lower-cased by the engine).

ALTER TABLE customers ADD COLUMN dedupe_company text GENERATED ALWAYS AS (kehu_norm_company(name)) STORED;
CREATE INDEX customers_dedupe_company ON customers (tenant_id, dedupe_company) WHERE dedupe_company IS NOT NULL;
CREATE INDEX customers_email ON customers (tenant_id, email) WHERE email IS NOT NULL;
DROP INDEX customers_company_key;
DROP INDEX customers_email_lower;

CREATE INDEX leads_email_exact ON leads (tenant_id, email) WHERE email IS NOT NULL;
DROP INDEX leads_email;

-- Polymorphic references (a lead or a customer; the sales module's opportunity) are stored as
-- text like the fields that describe them: the record engine casts values by field type.
ALTER TABLE leads ALTER COLUMN duplicate_of_id TYPE text USING duplicate_of_id::text;
ALTER TABLE leads ALTER COLUMN converted_opportunity_id TYPE text USING converted_opportunity_id::text;

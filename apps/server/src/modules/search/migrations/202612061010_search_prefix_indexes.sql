-- Global search finds records by the start of their name or number. The search compares
-- `column collate "C"` with a range (>= term, < next term): plain comparisons are leakproof, so
-- they stay index ranges under row-level security, where `like 'x%'` would not. Partial on live
-- rows, as every record read filters `deleted_at is null`.
CREATE INDEX customers_search_name ON customers (tenant_id, name COLLATE "C") WHERE deleted_at IS NULL;
CREATE INDEX contacts_search_name ON contacts (tenant_id, name COLLATE "C") WHERE deleted_at IS NULL;
CREATE INDEX leads_search_name ON leads (tenant_id, name COLLATE "C") WHERE deleted_at IS NULL;
CREATE INDEX leads_search_company ON leads (tenant_id, company COLLATE "C") WHERE deleted_at IS NULL;
CREATE INDEX opportunities_search_name ON opportunities (tenant_id, name COLLATE "C") WHERE deleted_at IS NULL;
CREATE INDEX orders_search_name ON orders (tenant_id, name COLLATE "C") WHERE deleted_at IS NULL;
CREATE INDEX quotes_search_name ON quotes (tenant_id, name COLLATE "C") WHERE deleted_at IS NULL;
CREATE INDEX contracts_search_name ON contracts (tenant_id, name COLLATE "C") WHERE deleted_at IS NULL;
CREATE INDEX contracts_search_no ON contracts (tenant_id, contract_no COLLATE "C") WHERE deleted_at IS NULL;

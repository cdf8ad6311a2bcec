-- Knowledge-base search: the jieba tokens as a 'simple' tsvector (the same scheme as scripts).
ALTER TABLE service_kb_articles ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('simple', tokens)) STORED;
CREATE INDEX service_kb_articles_search ON service_kb_articles USING gin (search);
-- Tickets list by subject/number search
CREATE INDEX service_tickets_open ON service_tickets (tenant_id, status, created_at DESC);

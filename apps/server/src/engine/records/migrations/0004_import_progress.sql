-- Import job bookkeeping (R10.1): who started it in which language (error messages are
-- written in the importer's locale), whether total_rows is exact or an estimate from bytes,
-- and a listing index for "recent imports".
ALTER TABLE imports ADD COLUMN locale text NOT NULL DEFAULT 'zh-CN';
ALTER TABLE imports ADD COLUMN total_exact boolean NOT NULL DEFAULT false;
ALTER TABLE imports ADD COLUMN job_id uuid;
CREATE INDEX imports_recent ON imports (tenant_id, object, created_at DESC);

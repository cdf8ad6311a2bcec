-- Security review: a statement carries a version, bumped on every re-issue and every decision, so a
-- dealer's confirm / dispute and HQ's resolve only land on the statement the caller actually saw.
ALTER TABLE dms_statements ADD COLUMN version integer NOT NULL DEFAULT 1;

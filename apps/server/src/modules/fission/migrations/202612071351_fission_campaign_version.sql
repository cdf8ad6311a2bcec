-- Optimistic locking (decision 0074): an edit of a campaign sends the version it read and gets 409
-- when someone changed it meanwhile; every edit adds 1.
ALTER TABLE fission_campaigns ADD COLUMN version integer NOT NULL DEFAULT 1;

-- Security review: a visit whose client time came in more than 6 h after it was taken (offline
-- queue synced late) is flagged for the manager — accepted, but visible as a late sync.
ALTER TABLE fsl_visits ADD COLUMN late_sync boolean NOT NULL DEFAULT false;

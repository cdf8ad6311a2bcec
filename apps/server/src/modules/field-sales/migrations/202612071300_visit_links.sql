-- The visit's links to other modules, keyed by the phone-made client id so a replayed action lands
-- once: HQ tasks completed for the store (dealer-network) and dealer order drafts taken (dealers).
ALTER TABLE fsl_visits ADD COLUMN links jsonb NOT NULL DEFAULT '{}'::jsonb;

-- Every ingest request queues a `cdp:process` wake-up job in its own transaction (so a 200 is
-- never left without a job to process its events); the job that drains the tenant's events
-- deletes the others it covers. This index finds them without scanning finished jobs.
CREATE INDEX jobs_cdp_process_pending ON jobs (tenant_id) WHERE queue = 'cdp:process' AND status = 'pending';

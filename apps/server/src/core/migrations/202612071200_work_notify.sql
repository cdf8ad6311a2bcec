-- New outbox events and jobs announce themselves on commit (NOTIFY is delivered only when the
-- inserting transaction commits), so the dispatcher and workers of every process start at once
-- instead of at their next poll — a segment entered in a long CDP job, or a job enqueued in a
-- request, used to wait up to a poll interval (core/jobs/work-listener.ts).
CREATE FUNCTION kehu_work_announced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kehu_work', TG_TABLE_NAME);
  RETURN NULL;
END $$;

CREATE TRIGGER outbox_announced AFTER INSERT ON outbox
  FOR EACH STATEMENT EXECUTE FUNCTION kehu_work_announced();
CREATE TRIGGER jobs_announced AFTER INSERT ON jobs
  FOR EACH STATEMENT EXECUTE FUNCTION kehu_work_announced();

-- Real-time notification stream: every new notification is announced on one channel when its
-- transaction commits (NOTIFY is transactional), so a rolled-back notification is never pushed.
-- The payload names tenant, user and row; the stream reads the row itself, under RLS.

CREATE FUNCTION kehu_notification_raised() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('kehu_notification', NEW.tenant_id::text || ':' || NEW.user_id::text || ':' || NEW.id::text);
  RETURN NULL;
END $$;

CREATE TRIGGER notifications_raised AFTER INSERT ON notifications
  FOR EACH ROW EXECUTE FUNCTION kehu_notification_raised();

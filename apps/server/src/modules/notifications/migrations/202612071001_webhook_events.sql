-- Webhooks carry domain events too (dealer orders and statements for the ERP, issue 14), not
-- only notifications: a delivery names either a notification or holds its event.
ALTER TABLE webhook_deliveries ALTER COLUMN notification_id DROP NOT NULL;
ALTER TABLE webhook_deliveries ADD COLUMN event jsonb;

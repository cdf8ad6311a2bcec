-- transfer_fail (issue 10): WeCom says why a transfer ended without the move
-- (customer_refused, customer_limit_exceed); the page shows it next to the status.
ALTER TABLE wecom_transfers ADD COLUMN fail_reason text;

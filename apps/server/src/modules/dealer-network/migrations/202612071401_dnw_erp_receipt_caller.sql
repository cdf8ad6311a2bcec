-- Security review: an ERP receipt's key is scoped by the caller (API key id, else the acting user),
-- so key B sending key A's external id is a receipt of its own — never a silent replay of A's, nor
-- a 409 that tells B that A used the id. Earlier rows keep the user who received them as caller.
ALTER TABLE dnw_erp_receipts ADD COLUMN caller text;
UPDATE dnw_erp_receipts SET caller = coalesce(received_by::text, '');
ALTER TABLE dnw_erp_receipts ALTER COLUMN caller SET NOT NULL;
ALTER TABLE dnw_erp_receipts DROP CONSTRAINT dnw_erp_receipts_tenant_id_kind_external_id_key;
CREATE UNIQUE INDEX dnw_erp_receipts_caller_key ON dnw_erp_receipts (tenant_id, caller, kind, external_id);

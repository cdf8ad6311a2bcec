-- SMS (Aliyun Dysms or a compatible endpoint): per-tenant credentials, the secret sealed
-- (core/crypto/secret-box.ts); the receipt URL's token is kept as a hash, shown once.
ALTER TABLE messaging_settings ADD COLUMN sms_endpoint text;
ALTER TABLE messaging_settings ADD COLUMN sms_access_key_id text;
ALTER TABLE messaging_settings ADD COLUMN sms_access_key_secret text;
ALTER TABLE messaging_settings ADD COLUMN sms_sign_name text;
-- the TemplateCode of an approved template `${text}` that carries inline (non-template) messages
ALTER TABLE messaging_settings ADD COLUMN sms_text_template text;
ALTER TABLE messaging_settings ADD COLUMN sms_report_token_hash text;

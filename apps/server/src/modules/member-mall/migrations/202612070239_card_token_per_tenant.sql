-- Every unique key carries tenant_id (the schema stays distributable by tenant). The token itself
-- carries the tenant (newPublicToken), so the card page still finds one settings row by it.
DROP INDEX IF EXISTS mall_settings_token;
CREATE UNIQUE INDEX mall_settings_token ON mall_settings (tenant_id, card_token);

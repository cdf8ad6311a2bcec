-- Silent sign-in in the chat sidebar (issue 11): a state started by `/wecom/sso/sidebar` goes
-- through WeCom's OAuth2 (snsapi_base) instead of the web login and lands on /sidebar.
ALTER TABLE wecom_sso_states ADD COLUMN mode text NOT NULL DEFAULT 'web';

-- 裂变 (issue 11): the "join a group" task (each participant's code is a 群活码 whose state names
-- them; invites are group joins) and coupon rewards issued through the coupons module.
ALTER TABLE fission_campaigns ADD COLUMN task text NOT NULL DEFAULT 'add_staff';
ALTER TABLE fission_campaigns ADD COLUMN group_chat_ids jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE fission_campaigns ADD COLUMN coupon_template_id uuid;

-- The group the invitee joined (join_group campaigns); userid is then the group's owner.
ALTER TABLE fission_invites ADD COLUMN chat_id text;
CREATE INDEX fission_invites_chat ON fission_invites (tenant_id, corp_ref, chat_id, external_userid) WHERE chat_id IS NOT NULL;

-- A coupon reward: pending until the participant's CDP profile resolves, then issued (or failed:
-- out of stock, over the per-person limit, template paused — the reason kept for the owner).
ALTER TABLE fission_rewards ADD COLUMN coupon_status text;
ALTER TABLE fission_rewards ADD COLUMN coupon_id uuid;
ALTER TABLE fission_rewards ADD COLUMN coupon_code text;
ALTER TABLE fission_rewards ADD COLUMN coupon_expires_at timestamptz;
ALTER TABLE fission_rewards ADD COLUMN coupon_error text;

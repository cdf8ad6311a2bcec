-- 群发 attachments from the material library (issue 11): a snapshot of the materials the planner
-- picked (what they may see), turned into WeCom attachments per sending staff member at send time.
ALTER TABLE outreach_messages ADD COLUMN materials jsonb NOT NULL DEFAULT '[]';

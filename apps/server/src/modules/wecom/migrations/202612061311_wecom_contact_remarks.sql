-- 客户备注 (issue 10): the staff member's remark and description of a customer, edited in WeCom or in
-- Kehu. remark_at is when the last edit happened (WeCom's CreateTime or Kehu's clock): the later
-- write wins, a tie goes to WeCom.
ALTER TABLE wecom_external_contacts ADD COLUMN remark text;
ALTER TABLE wecom_external_contacts ADD COLUMN description text;
ALTER TABLE wecom_external_contacts ADD COLUMN remark_at timestamptz;

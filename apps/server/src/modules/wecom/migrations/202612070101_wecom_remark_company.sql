-- 客户备注 form (issue 10): the remark's company (WeCom's remark_company / remark_corp_name) and a
-- version bumped by every applied edit, so two people editing the same remark get a 409, not a
-- silent overwrite.
ALTER TABLE wecom_external_contacts ADD COLUMN remark_company text;
ALTER TABLE wecom_external_contacts ADD COLUMN remark_version integer NOT NULL DEFAULT 0;

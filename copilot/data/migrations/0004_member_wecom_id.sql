-- The member's WeCom external contact id (external_userid), which WeCom's customer
-- mass-send needs; empty when the member has not added the store's WeCom, or the source
-- did not carry it.
ALTER TABLE members ADD COLUMN wecom_external_id VARCHAR(64);

-- Text messages waiting for a provider. Append-only.

-- The dispatcher writes a row in the same transaction that marks the recipient sent, so
-- each message is enqueued exactly once whenever a worker dies: before the commit nothing
-- was enqueued and the claim is taken again, after it the recipient is no longer due.
-- A provider's connector (or a person exporting a file) takes rows whose picked_at is
-- empty and sets it. key is "campaign:member:sms", the recipient's idempotency key.
CREATE TABLE sms_outbox (
    key         VARCHAR(128) PRIMARY KEY,
    campaign_id VARCHAR(32) NOT NULL,
    member_id   VARCHAR(64) NOT NULL,
    phone       VARCHAR(32) NOT NULL,
    text        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    picked_at   TIMESTAMP
);
CREATE INDEX sms_outbox_waiting ON sms_outbox (picked_at, created_at);
CREATE INDEX sms_outbox_campaign ON sms_outbox (campaign_id);

-- The dispatcher's claims look for a campaign's open recipients on one channel. Only open
-- rows are in this index, so a claim late in a big campaign does not walk past everything
-- already sent, and PostgreSQL picks it even before it has statistics on rows the preview
-- has just written.
CREATE INDEX campaign_recipients_open ON campaign_recipients (campaign_id, channel)
    WHERE state IN ('pending', 'claimed');

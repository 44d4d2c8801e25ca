-- Who a campaign goes to, and what happened to each of them. Append-only.

-- One row per campaign, member and channel, written with the preview (the audience the
-- requester confirmed and a supervisor approved). The key makes sending idempotent: a
-- recipient is claimed, sent with the key "campaign:member:channel", then marked sent;
-- a claim whose worker died expires and is taken again with the same key.
--   state: pending (to send) · holdout (kept out on purpose, for the review) ·
--          skipped (a rule kept them out; reason says which) · claimed · sent · failed
CREATE TABLE campaign_recipients (
    campaign_id VARCHAR(32) NOT NULL,
    member_id   VARCHAR(64) NOT NULL,
    channel     VARCHAR(20) NOT NULL,
    store_id    VARCHAR(64) NOT NULL,
    staff_id    VARCHAR(64),          -- the owning staff: WeCom mass-sends go out per staff
    state       VARCHAR(12) NOT NULL,
    reason      TEXT,
    claimed_by  VARCHAR(64),
    claim_until TIMESTAMP,
    attempts    INTEGER NOT NULL DEFAULT 0,
    sent_at     TIMESTAMP,
    PRIMARY KEY (campaign_id, member_id, channel)
);
CREATE INDEX campaign_recipients_todo ON campaign_recipients (campaign_id, state);
-- Frequency caps count what a member was sent on a channel in a day, week or month.
CREATE INDEX campaign_recipients_member ON campaign_recipients (member_id, channel, sent_at);

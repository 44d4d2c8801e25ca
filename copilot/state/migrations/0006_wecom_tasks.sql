-- WeCom mass-send tasks a campaign created. Append-only.

-- WeCom has no idempotency key: a task is made by add_msg_template and the staff member
-- then confirms it in their WeCom client. A row is written 'creating' before the call,
-- so a worker that died after calling leaves a trace, and the next one looks the task up
-- in WeCom (get_groupmsg_list_v2) instead of making a second one.
--   chat_type: single (to customers, one task per staff and batch of their members) ·
--              group (to the staff's customer groups, one task per campaign and staff)
--   batch_key: a hash of the sorted member ids the task addresses; 'group' for groups
--   state:     creating · created (waiting for the staff to confirm) · sent · failed
--   targets:   JSON {member_id: external_userid} the task addresses (single only)
--   failed:    JSON [member_id] WeCom refused (its fail_list)
--   received:  once sent, members (single) or groups (group) it reached
CREATE TABLE wecom_tasks (
    campaign_id VARCHAR(32) NOT NULL,
    staff_id    VARCHAR(64) NOT NULL,
    chat_type   VARCHAR(10) NOT NULL,
    batch_key   VARCHAR(64) NOT NULL,
    sender      VARCHAR(128) NOT NULL,
    state       VARCHAR(10) NOT NULL,
    msgid       VARCHAR(128),
    members     INTEGER NOT NULL,
    targets     TEXT,
    failed      TEXT,
    received    INTEGER,
    reason      TEXT,
    created_at  TIMESTAMP NOT NULL,
    checked_at  TIMESTAMP,
    PRIMARY KEY (campaign_id, staff_id, chat_type, batch_key)
);
CREATE INDEX wecom_tasks_campaign ON wecom_tasks (campaign_id, state);
-- One row per WeCom task: two rows never adopt the same task (NULLs do not collide).
CREATE UNIQUE INDEX wecom_tasks_msgid ON wecom_tasks (msgid);

-- Chat channels (Slack, WeCom, the web console). Append-only: add the next number.

-- Who a platform user is: a Slack user id or a WeCom userid, linked to one staff record.
CREATE TABLE channel_identities (
    channel     VARCHAR(20) NOT NULL,
    external_id VARCHAR(128) NOT NULL,
    staff_id    VARCHAR(64) NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (channel, external_id)
);
CREATE INDEX channel_identities_staff ON channel_identities (staff_id);

-- Platform events already taken in (Slack retries, WeCom MsgId): a question is answered once.
CREATE TABLE channel_events (
    channel     VARCHAR(20) NOT NULL,
    event_id    VARCHAR(200) NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (channel, event_id)
);
CREATE INDEX channel_events_received ON channel_events (received_at);

-- Every turn answered in a channel, with the feedback people give it (1 = 👍, -1 = 👎).
CREATE TABLE channel_turns (
    turn_id    VARCHAR(32) PRIMARY KEY,
    channel    VARCHAR(20) NOT NULL,
    thread     VARCHAR(200) NOT NULL,
    staff_id   VARCHAR(64) NOT NULL,
    direct     BOOLEAN NOT NULL,
    question   TEXT NOT NULL,
    answer     TEXT NOT NULL,
    tools      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    rating     INTEGER,
    rated_by   VARCHAR(64),
    rated_at   TIMESTAMP
);
CREATE INDEX channel_turns_staff ON channel_turns (staff_id, created_at);

-- Web console sign-in: a per-staff token, kept only as its SHA-256.
CREATE TABLE console_tokens (
    token_hash VARCHAR(64) PRIMARY KEY,
    staff_id   VARCHAR(64) NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX console_tokens_staff ON console_tokens (staff_id);

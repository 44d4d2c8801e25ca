-- Campaigns: what is sent to whom, when, and who did what on the way. Append-only.

CREATE TABLE campaigns (
    campaign_id   VARCHAR(32) PRIMARY KEY,
    name          VARCHAR(100) NOT NULL,
    state         VARCHAR(30) NOT NULL,
    created_by    VARCHAR(64) NOT NULL,
    region        VARCHAR(100),
    stores        TEXT NOT NULL,        -- JSON list of the store ids it reaches
    segment       TEXT NOT NULL,        -- JSON: the saved segment's id, name and spec
    content       TEXT NOT NULL,
    channels      TEXT NOT NULL,        -- JSON list
    send_at       TIMESTAMP NOT NULL,
    holdout_share NUMERIC(4, 3) NOT NULL DEFAULT 0,
    audience      INTEGER NOT NULL,     -- reach after opt-outs, caps and quiet hours
    needs_approval BOOLEAN NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX campaigns_state ON campaigns (state, send_at);
CREATE INDEX campaigns_creator ON campaigns (created_by, created_at);

-- Every change of state: who, what, from which state to which, when.
CREATE TABLE campaign_events (
    event_id    VARCHAR(32) PRIMARY KEY,
    campaign_id VARCHAR(32) NOT NULL,
    actor       VARCHAR(64) NOT NULL,
    action      VARCHAR(30) NOT NULL,
    from_state  VARCHAR(30),
    to_state    VARCHAR(30) NOT NULL,
    note        TEXT,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX campaign_events_campaign ON campaign_events (campaign_id, at);

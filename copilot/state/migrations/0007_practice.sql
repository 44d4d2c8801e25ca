-- Trainee practice: each session with its transcript, and its score once ended.
CREATE TABLE practice_sessions (
    session_id  VARCHAR(32) PRIMARY KEY,
    staff_id    VARCHAR(64) NOT NULL,
    scenario    VARCHAR(64) NOT NULL,
    persona     VARCHAR(64) NOT NULL,
    seed        INTEGER NOT NULL,
    channel     VARCHAR(20) NOT NULL,   -- cli, slack, wecom, console
    thread      VARCHAR(200),           -- where a chat session is going on
    state       VARCHAR(10) NOT NULL,   -- open | ended
    transcript  TEXT NOT NULL,          -- JSON list of {"who": "trainee"|"customer", "text"}
    score       INTEGER,
    passed      BOOLEAN,
    scorecard   TEXT,                   -- JSON, the checks with evidence and better lines
    started_at  TIMESTAMP NOT NULL,
    ended_at    TIMESTAMP
);
CREATE INDEX practice_sessions_staff ON practice_sessions (staff_id, started_at);
CREATE INDEX practice_sessions_open ON practice_sessions (channel, thread, state);

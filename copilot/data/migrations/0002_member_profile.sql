-- Member profile: a staff note per member, tags in four dimensions, and per-member tables
-- derived from the transactions so member tools answer without scanning every sale.

-- A free-text note staff keep about the member (may be empty).
ALTER TABLE members ADD COLUMN note VARCHAR(500);

-- Tags staff give a member. dimension is one of 体貌 / 个性 / 偏好 / 消费, or 其他 when the
-- source did not say. (member_id, tag) is unique; the writers enforce it (replace per
-- member), as the project uses no keys that would stop a re-import from deleting rows.
CREATE TABLE member_tags (
    member_id VARCHAR(64) NOT NULL,
    dimension VARCHAR(20) NOT NULL,
    tag       VARCHAR(50) NOT NULL
);

-- Derived from transactions and line_items by copilot/data/derived.py at the end of every
-- write: a cache, never edited by hand. dataset_info.facts_as_of says up to which day.
-- One row per member with at least one transaction (member_id is unique by construction).
-- No PRIMARY KEY here: on DuckDB its index made every rebuild 30x slower (0.9 s of 0.95 s
-- on the demo set), while rows written in member order are found through the zone maps
-- in under a millisecond. PostgreSQL gets a unique index in the companion file.
CREATE TABLE member_stats (
    member_id VARCHAR(64) NOT NULL,
    first_ts  TIMESTAMP NOT NULL,
    last_ts   TIMESTAMP NOT NULL,
    purchases INTEGER NOT NULL,
    spend     NUMERIC(14, 2) NOT NULL
);

-- Per member and category: purchases = transactions holding the category at least once,
-- spend = the category's line amounts. Line items without a category count as 未分类.
CREATE TABLE member_categories (
    member_id VARCHAR(64) NOT NULL,
    category  VARCHAR(100) NOT NULL,
    purchases INTEGER NOT NULL,
    spend     NUMERIC(14, 2) NOT NULL,
    last_ts   TIMESTAMP NOT NULL
);

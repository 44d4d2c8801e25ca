-- member_stats carries each member's home store and join time, copied from members at every
-- rebuild, so per-store member counts (churn, conversion) read one table instead of joining
-- a million members to a million summaries (a third of the time of that query).
ALTER TABLE member_stats ADD COLUMN store_id VARCHAR(64);
ALTER TABLE member_stats ADD COLUMN joined_at TIMESTAMP;

-- PostgreSQL only: look-ups by member and segment filters by tag and category. DuckDB
-- relies on its zone maps instead (the derived tables are written in member order).
CREATE UNIQUE INDEX member_stats_member ON member_stats (member_id);
CREATE INDEX member_tags_member ON member_tags (member_id);
CREATE INDEX member_tags_tag ON member_tags (tag, member_id);
CREATE INDEX member_categories_member ON member_categories (member_id);
CREATE INDEX member_categories_category ON member_categories (category, member_id);
CREATE INDEX member_stats_last_ts ON member_stats (last_ts);

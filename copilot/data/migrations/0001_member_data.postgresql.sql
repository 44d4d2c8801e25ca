-- PostgreSQL only: row-store indexes the embedded column store does not need.
CREATE UNIQUE INDEX transactions_tx_id ON transactions (tx_id);
CREATE INDEX transactions_member_ts ON transactions (member_id, ts);
CREATE INDEX transactions_store_ts ON transactions (store_id, ts);
CREATE INDEX line_items_tx ON line_items (tx_id);
CREATE INDEX members_store ON members (store_id);

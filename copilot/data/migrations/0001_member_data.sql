-- Member data, portable across DuckDB and PostgreSQL. Append-only: never edit a released
-- migration, add the next number instead. No foreign keys: DuckDB cannot delete a referenced
-- row, which re-import (replace by id) needs; the importer checks references instead.
-- Money is NUMERIC so sums are exact and agree across engines.
CREATE TABLE stores (
    store_id  VARCHAR(64) PRIMARY KEY,
    name      VARCHAR(200) NOT NULL,
    region    VARCHAR(100) NOT NULL,
    city      VARCHAR(100),
    opened_on DATE
);

CREATE TABLE staff (
    staff_id VARCHAR(64) PRIMARY KEY,
    name     VARCHAR(100) NOT NULL,
    store_id VARCHAR(64),
    role     VARCHAR(20) NOT NULL,
    region   VARCHAR(100)
);

CREATE TABLE members (
    member_id   VARCHAR(64) PRIMARY KEY,
    name        VARCHAR(100),
    phone       VARCHAR(32),
    gender      VARCHAR(8),
    birthday    DATE,
    joined_at   TIMESTAMP NOT NULL,
    store_id    VARCHAR(64) NOT NULL,
    staff_id    VARCHAR(64),
    tier        VARCHAR(20),
    points      INTEGER NOT NULL DEFAULT 0,
    wecom_added BOOLEAN NOT NULL DEFAULT FALSE,
    opt_out     BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE products (
    sku      VARCHAR(64) PRIMARY KEY,
    name     VARCHAR(200) NOT NULL,
    category VARCHAR(100) NOT NULL,
    price    NUMERIC(12, 2)
);

-- ts is the store's local wall-clock time; a purchase's day is CAST(ts AS DATE).
-- tx_id is unique by import (replace by id); no index here because an index on
-- 10 M rows costs DuckDB 4x the load time and 3x the file size.
CREATE TABLE transactions (
    tx_id     VARCHAR(64) NOT NULL,
    member_id VARCHAR(64),
    store_id  VARCHAR(64) NOT NULL,
    staff_id  VARCHAR(64),
    ts        TIMESTAMP NOT NULL,
    amount    NUMERIC(14, 2) NOT NULL,
    units     INTEGER NOT NULL,
    channel   VARCHAR(20) NOT NULL
);

CREATE TABLE line_items (
    tx_id    VARCHAR(64) NOT NULL,
    line_no  INTEGER NOT NULL,
    sku      VARCHAR(64) NOT NULL,
    category VARCHAR(100),
    qty      INTEGER NOT NULL,
    amount   NUMERIC(14, 2) NOT NULL
);

-- Where the data came from (demo or import) and when it changed.
CREATE TABLE dataset_info (
    key   VARCHAR(64) PRIMARY KEY,
    value VARCHAR(400) NOT NULL
);

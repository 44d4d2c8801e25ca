"""Member data: schema, storage (embedded DuckDB or PostgreSQL), import and demo data."""

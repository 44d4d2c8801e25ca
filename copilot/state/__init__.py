"""Operational state: the audit log and saved segments (SQLite by default, PostgreSQL at scale)."""

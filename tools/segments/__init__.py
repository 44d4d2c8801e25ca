"""Segments: a typed spec compiled to portable SQL, previewed, saved, refreshed, deleted."""

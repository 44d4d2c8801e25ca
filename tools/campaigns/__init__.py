"""Campaign tools: schedule (preview and confirm), approve, cancel, follow, review."""

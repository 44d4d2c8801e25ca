"""Playbooks (Markdown) and the retrieval index built from them."""

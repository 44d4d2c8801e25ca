"""Ops Copilot: an operations copilot for retail member (private-domain) operations."""

__version__ = "0.1.0"

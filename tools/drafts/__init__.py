"""Draft posts for member groups, moments, SMS and group notices, and the checks they pass.

`check_draft(text, channel, offer, date_text)` is the one check every post goes through,
whoever wrote it (our templates, a staff member, a model).
"""

from tools.drafts.checks import Problem, check_draft

__all__ = ["Problem", "check_draft"]

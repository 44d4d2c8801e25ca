"""One problem a check found in a post: what, how serious, and how to fix it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Level = Literal["error", "warn"]


class Problem(BaseModel):
    code: str  # absolute_word, internal_term, too_long, sms_segments, sms_opt_out, …
    level: Level
    message: str
    suggestion: str

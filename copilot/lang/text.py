"""Text folding that keeps every character where it was, so match spans stay valid."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

# Full-width ASCII (what Chinese IMEs type in full-width mode) -> half-width, one char for one.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = ord(" ")  # ideographic space
_DASHES = {ord(c): "-" for c in "–—−"}  # en dash, em dash, minus sign
_TABLE = {**_FULL_WIDTH, **_DASHES}


def fold(text: str) -> str:
    """Half-width digits, letters and punctuation; same length as `text`, so spans carry over.

    NFKC would do more but can change the length ("㎏" -> "kg"), which breaks spans.
    """
    return text.translate(_TABLE)


def leftmost(
    text: str, rules: Sequence[tuple[re.Pattern[str], T]], pos: int = 0
) -> tuple[re.Match[str], T] | None:
    """The match that starts first in `text` (from `pos`) over all rules, longest on a tie.

    Rules are tried in order, so on an exact tie the earlier rule wins.
    """
    best: tuple[re.Match[str], T] | None = None
    for pattern, payload in rules:
        m = pattern.search(text, pos)
        if m is None or m.end() == m.start():
            continue
        if best is None or (m.start(), -m.end()) < (best[0].start(), -best[0].end()):
            best = (m, payload)
    return best

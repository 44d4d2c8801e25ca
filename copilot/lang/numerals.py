"""Numbers as people type them: "90", "1,200", "1.5万", "3k", "九十", "三万五", "一千零五".

Sentences mix Arabic digits, Chinese numerals and shorthand units, and the offline intent
parser needs all of them as plain numbers ("最近九十天消费过两次以上" -> 90, 2).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from copilot.lang.text import fold

CN_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
SMALL_UNITS: dict[str, int] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000,
                               "k": 1000, "K": 1000}
BIG_UNITS: dict[str, int] = {"万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000}

_ARABIC = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_CN_CHARS = "".join(CN_DIGITS) + "十拾百佰千仟万亿"
_TOKEN = re.compile(rf"{_ARABIC}|[{_CN_CHARS}]|[kKwW]")
# In a sentence: a run of digits / numerals / units; k and w only right after a digit and
# not inside a word ("3k" yes, "3kg" and "week" no); no letter or digit glued in front
# ("S003", "Q3" are names, not numbers).
_RUN = re.compile(
    rf"(?<![A-Za-z\d])(?<!\d\.)(?:{_ARABIC}|[{_CN_CHARS}])"
    rf"(?:{_ARABIC}|[{_CN_CHARS}]|(?<=[\d{_CN_CHARS}])[kKwW](?![A-Za-z]))*"
)
_HALF = re.compile(r"半(?=年|个|天|小时|月|周)")  # "半年", "半个月": a quantity, not "8点半"
_VAGUE_AFTER = "几多余来"  # "十几天", "十多次", "百余人": no single number to give
_VAGUE_BEFORE = "几"  # "几十"


class NumberMatch(NamedTuple):
    """A number found in a sentence: its value, where it is, and the text it was read from."""

    value: int | float
    span: tuple[int, int]
    text: str


def parse_number(text: str) -> int | float | None:
    """The number `text` spells, or None when it is not (only) a number.

    Integral results come back as int ("1.5万" -> 15000), others as float ("半" -> 0.5).
    """
    s = fold(text).strip().replace(" ", "")
    negative = s.startswith(("-", "负"))
    if negative:
        s = s[1:]
    if not s:
        return None
    if s == "半":
        value: float | None = 0.5
    elif "点" in s:  # "三点五" -> 3.5 (whole tokens only; in sentences 点 is a clock)
        value = _decimal_point(s)
    else:
        value = _parse_tokens(s)
    if value is None:
        return None
    return _tidy(-value if negative else value)


def find_numbers(text: str) -> list[NumberMatch]:
    """Every number in a sentence, left to right, with its span in `text`.

    Lexical only: "一般" gives 1 like "一次" does; the caller knows which words matter.
    Vague amounts ("十几", "几十") are skipped rather than guessed.
    """
    s = fold(text)
    found: list[NumberMatch] = []
    for m in _RUN.finditer(s):
        start, end = m.span()
        if (end < len(s) and s[end] in _VAGUE_AFTER) or (start and s[start - 1] in _VAGUE_BEFORE):
            continue
        for sub_start, sub_end in _split_run(s, start, end):
            value = parse_number(s[sub_start:sub_end])
            if value is not None:
                found.append(NumberMatch(value, (sub_start, sub_end), text[sub_start:sub_end]))
    for m in _HALF.finditer(s):
        found.append(NumberMatch(0.5, m.span(), text[m.start():m.end()]))
    return sorted(found, key=lambda n: n.span)


def _split_run(s: str, start: int, end: int) -> list[tuple[int, int]]:
    """A run that does not parse as one number splits where a digit follows a digit.

    "2025年3" never reaches here (年 ends the run), but "3五" or "九十2" might: read the
    largest parseable pieces from the left.
    """
    pieces: list[tuple[int, int]] = []
    i = start
    while i < end:
        j = end
        while j > i and parse_number(s[i:j]) is None:
            j -= 1
        if j == i:  # nothing parses from here ("万" alone): skip a character
            i += 1
            continue
        pieces.append((i, j))
        i = j
    return pieces


def _decimal_point(s: str) -> float | None:
    whole, _, frac = s.partition("点")
    head = _parse_tokens(whole) if whole else None
    if head is None or not frac or any(c not in CN_DIGITS and not c.isdigit() for c in frac):
        return None
    digits = "".join(str(CN_DIGITS[c]) if c in CN_DIGITS else c for c in frac)
    return head + float("0." + digits)


def _parse_tokens(s: str) -> float | None:
    tokens = _TOKEN.findall(s)
    if "".join(tokens) != s:
        return None
    if all(t in CN_DIGITS for t in tokens) and len(tokens) > 1:
        return None  # "二五" is not 25 (and "三五" means "a few"); years are read in dates
    return _big(tokens)


def _big(tokens: list[str]) -> float | None:
    """Split on the largest unit present (亿, then 万); each side is a smaller number."""
    for unit in ("亿", "万", "w", "W"):
        if unit in tokens:
            i = tokens.index(unit)
            head_tokens, tail = tokens[:i], tokens[i + 1:]
            head = _big(head_tokens) if head_tokens else None
            if head is None:
                return None
            rest = _tail(tail, BIG_UNITS[unit])
            return None if rest is None else head * BIG_UNITS[unit] + rest
    return _small(tokens)


def _tail(tokens: list[str], unit: int) -> float | None:
    """What follows 万/亿: "三万五" means 35000 (a bare digit counts in the next unit down)."""
    if not tokens:
        return 0
    if len(tokens) == 1 and (tokens[0] in CN_DIGITS or re.fullmatch(r"\d", tokens[0])):
        return _digit(tokens[0]) * unit // 10
    if tokens[0] in ("零", "〇"):
        tokens = tokens[1:]
    value = _big(tokens)
    return None if value is None or value >= unit else value


def _small(tokens: list[str]) -> float | None:
    """Below 10 000: digits times 千/百/十, with 零 as a placeholder and "一千五" = 1500."""
    if not tokens:
        return None
    total: float = 0
    current: float | None = None
    last_unit = 10_000
    zero_since_unit = False
    for t in tokens:
        if t in SMALL_UNITS:
            unit = SMALL_UNITS[t]
            if unit >= last_unit:
                return None  # "十百", "千千"
            total += (1 if current is None else current) * unit
            current, last_unit, zero_since_unit = None, unit, False
        elif t in ("零", "〇"):
            if current is not None:
                return None
            zero_since_unit = True
        elif current is not None:
            return None  # a digit after a digit
        else:
            current = _digit(t)
    if current is not None:
        if last_unit < 10_000 and last_unit > 10 and not zero_since_unit and current < 10:
            total += current * last_unit // 10  # "一千五" = 1500, "两百五" = 250
        else:
            total += current
    return total


def _digit(token: str) -> float:
    if token in CN_DIGITS:
        return CN_DIGITS[token]
    return float(token.replace(",", ""))


def _tidy(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value

"""Periods in a sentence, in Chinese or English: "最近90天", "上个月", "2025年国庆", "Q3".

Every period is whole days, both ends included (`Period`), and comes with labels that say
exactly which days were taken, because "本月" on the 1st or "国庆" in January is a choice:

- Today's data is incomplete, so a period still running ends **yesterday** ("本月" on
  2026-11-25 is 11-01 ~ 11-24); one that starts today is just today (on the 1st, "本月" is
  the 1st alone), and its label says the data is not complete yet.
- Rolling windows ("最近90天", "last 3 months") are the N units ending yesterday:
  "最近90天" on 2026-11-25 is 2026-08-27 ~ 2026-11-24; "近3个月" is 08-25 ~ 11-24.
- Without a year, a month, quarter, date or holiday is the latest one that has started.
- A period that starts after today is an error ("这个时间还没到"), not an empty answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from copilot.analytics.period import Period
from copilot.errors import UserError
from copilot.lang import explicit, relative
from copilot.lang.rules import Raw, Rule
from copilot.lang.text import fold, leftmost

RULES: list[Rule] = [*relative.RULES, *explicit.RULES]


@dataclass(frozen=True)
class ResolvedPeriod:
    """A period found in text: the days, labels for both languages, and what was matched."""

    period: Period
    label_zh: str
    label_en: str
    matched: str
    span: tuple[int, int]


def resolve_period(text: str, today: date) -> ResolvedPeriod | None:
    """The first period named in `text`, or None when nothing date-like is there.

    Raises UserError for days that do not exist ("2月30日"), periods that have not started
    yet ("下个月") and periods longer than the metrics allow.
    """
    found = find_periods(text, today, limit=1)
    return found[0] if found else None


def find_periods(text: str, today: date, limit: int | None = None) -> list[ResolvedPeriod]:
    """Every period named in `text`, left to right, without overlaps ("上月和本月" -> 2)."""
    folded = fold(text)
    found: list[ResolvedPeriod] = []
    pos = 0
    while limit is None or len(found) < limit:
        hit = leftmost(folded, RULES, pos)
        if hit is None:
            break
        m, handler = hit
        raw = handler(m, today)
        found.append(_finish(raw, text[m.start():m.end()], m.span(), today))
        pos = m.end()
    return found


def _finish(raw: Raw, matched: str, span: tuple[int, int], today: date) -> ResolvedPeriod:
    """Cut a named period to the days with data, refuse the future, check the length."""
    if raw.start > today:
        raise UserError(
            f"这个时间还没到:{raw.zh}({_range(raw.start, raw.end)})还没开始,今天是 {today}。",
            f"That time has not come yet: {raw.en} ({_range(raw.start, raw.end)}) "
            f"starts after today ({today}).",
        )
    start, end = raw.start, raw.end
    if raw.rolling:
        note_zh, note_en = "不含今天", "excluding today"
    elif end < today:
        note_zh = note_en = ""
    elif start == today:
        end = today
        note_zh, note_en = "今天的数据还不完整", "today's data is not complete yet"
    else:
        end = today - timedelta(days=1)
        note_zh, note_en = "截至昨天", "through yesterday"
    period = Period(start, end)
    period.validate()
    days = _range(start, end)
    zh = ",".join(p for p in (raw.rule_zh, days, note_zh) if p)
    en = ", ".join(p for p in (raw.rule_en, days, note_en) if p)
    return ResolvedPeriod(
        period=period,
        label_zh=f"{raw.zh}({zh})" if raw.zh else zh,
        label_en=f"{raw.en} ({en})" if raw.en else en,
        matched=matched,
        span=span,
    )


def _range(start: date, end: date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()} ~ {end.isoformat()}"

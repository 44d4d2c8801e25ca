"""Checks every post must pass before it reaches customers, whoever wrote it.

`check_draft` is a plain function: it checks our templates' drafts, a staff member's own
text, and (later) a model's draft the same way. Each problem carries a code, a level, a
Chinese message and a suggested fix. The words it looks for live in checks.toml.
"""

from __future__ import annotations

import math
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel

from copilot.lang.text import fold
from tools.drafts.privacy import personal
from tools.drafts.problem import Level, Problem

Channel = Literal["wecom_group", "wecom_moments", "sms", "group_notice"]
CHANNEL_ZH: dict[str, str] = {"wecom_group": "企业微信群", "wecom_moments": "朋友圈",
                              "sms": "短信", "group_notice": "群公告"}

# ---- limits ---------------------------------------------------------------------------------
# WeCom group posts go out through 客户群群发 (externalcontact/add_msg_template), whose
# text.content takes at most 4000 bytes. A Chinese character is 3 bytes in UTF-8, so that is
# about 1333 characters; 1000 leaves room for emoji and links (4 bytes and more each), and a
# post longer than that is not read to the end in a group anyway. Bytes are checked too.
WECOM_MAX_CHARS = 1000
WECOM_MAX_BYTES = 4000
# 朋友圈 (customer moments): WeChat folds long posts behind "全文" and only the first lines
# are seen; our own cap, the same 1000 characters as a group post.
MOMENTS_MAX_CHARS = 1000
# 群公告 is pinned and read on a phone screen; our own cap (about a screen and a half).
NOTICE_MAX_CHARS = 500
# SMS: Chinese text is sent in UCS-2, 140 bytes = 70 characters per message. A longer text
# is split into parts that each spend 6 bytes on the concatenation header (UDH), leaving 67
# characters per part; carriers bill every part. The signature 【…】 and 回T退订 count too.
SMS_SINGLE = 70
SMS_PART = 67
# Our rule: more than 3 parts costs 4× a single SMS, and older phones show the parts out of
# order. Raise it here if a campaign really needs a long SMS.
SMS_MAX_SEGMENTS = 3

LIMITS: dict[str, int] = {"wecom_group": WECOM_MAX_CHARS, "wecom_moments": MOMENTS_MAX_CHARS,
                          "group_notice": NOTICE_MAX_CHARS, "sms": SMS_PART * SMS_MAX_SEGMENTS}

OPT_OUT = "回T退订"
_OPT_OUT = re.compile(r"回(?:复)?\s*T\s*退订|退订(?:请)?回(?:复)?\s*T|拒收请回复\s*R",
                      re.IGNORECASE)
# A carrier signature: 【brand】 at the start or the end, 2-16 characters inside.
_SIGNATURE = re.compile(r"^\s*【[^【】\s]{2,16}】|【[^【】\s]{2,16}】\s*$")
_PLACEHOLDER = re.compile(r"\{[^{}\n]{1,20}\}|"
                          r"[【\[](?:姓名|昵称|称呼|门店|品牌|日期|时间|优惠)[】\]]")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?|"
                        r"(?<!\d)\d{4}-(\d{1,2})-(\d{1,2})(?!\d)")


class Measure(BaseModel):
    """How long a text is for its channel: characters, bytes (WeCom), SMS parts."""

    chars: int
    limit: int
    bytes: int | None = None
    segments: int | None = None

    def describe(self) -> str:
        if self.segments is not None:
            return (f"{self.chars} 字,短信按 {self.segments} 条计费"
                    f"({SMS_SINGLE} 字以内算 1 条,超过按每条 {SMS_PART} 字拆分)")
        return f"{self.chars}/{self.limit} 字"


def measure(text: str, channel: str) -> Measure:
    if channel == "sms":
        n = len(text.encode("utf-16-le")) // 2  # what the phone counts: emoji are two
        return Measure(chars=n, limit=LIMITS["sms"], segments=sms_segments(n))
    n = len(text)
    if channel == "group_notice":
        return Measure(chars=n, limit=NOTICE_MAX_CHARS)
    if channel == "wecom_moments":
        return Measure(chars=n, limit=MOMENTS_MAX_CHARS)
    return Measure(chars=n, limit=WECOM_MAX_CHARS, bytes=len(text.encode("utf-8")))


def sms_segments(chars: int) -> int:
    if chars <= SMS_SINGLE:
        return 1
    return math.ceil(chars / SMS_PART)


def check_draft(text: str, channel: str = "wecom_group", offer: str | None = None,
                date_text: str | None = None, *, names: Iterable[str] = ()) -> list[Problem]:
    """Every problem of `text` as a post on `channel`: length, SMS rules, absolute wording,
    internal jargon, personal data (phones, ID numbers, the given member `names`), unfilled
    placeholders, and whether `offer` and `date_text` (when given) appear in it."""
    folded = _fold(text)
    problems = _length(text, channel)
    if channel == "sms":
        problems += _sms(folded)
    problems += _placeholders(folded)
    problems += _words(folded)
    problems += personal(text, folded, names)
    if offer and _squash(offer) not in _squash(text):
        problems.append(Problem(
            code="offer_missing", level="error",
            message=f"文案里没有写到优惠“{offer}”。",
            suggestion=f"把“{offer}”原样写进文案,顾客才知道具体是什么福利。"))
    if date_text and not date_present(text, date_text):
        problems.append(Problem(
            code="date_missing", level="error",
            message=f"文案里没有写到活动时间“{date_text}”。",
            suggestion=f"写明时间“{date_text}”,顾客才知道哪天来。"))
    return problems


# ---- pieces --------------------------------------------------------------------------------

def _length(text: str, channel: str) -> list[Problem]:
    m = measure(text, channel)
    where = CHANNEL_ZH.get(channel, channel)
    if channel == "sms":
        assert m.segments is not None
        if m.segments > SMS_MAX_SEGMENTS:
            return [Problem(
                code="sms_segments", level="error",
                message=f"短信 {m.chars} 字,会拆成 {m.segments} 条计费,"
                        f"超过 {SMS_MAX_SEGMENTS} 条的上限。",
                suggestion=f"压缩到 {SMS_PART * SMS_MAX_SEGMENTS} 字以内(含签名和“{OPT_OUT}”),"
                           "细节放到门店或企微里说。")]
        return []
    problems = []
    if m.chars > m.limit:
        problems.append(Problem(
            code="too_long", level="error",
            message=f"{where}文案 {m.chars} 字,超过 {m.limit} 字的上限。",
            suggestion="删掉重复的介绍,只留时间、地点、福利和怎么参加;细节可以分两条发。"))
    elif m.bytes is not None and m.bytes > WECOM_MAX_BYTES:
        problems.append(Problem(
            code="too_long", level="error",
            message=f"{where}文案 {m.bytes} 字节,超过企业微信群发 {WECOM_MAX_BYTES} 字节的上限。",
            suggestion="减少表情符号和长链接,或把内容分两条发。"))
    return problems


def _sms(folded: str) -> list[Problem]:
    problems = []
    if not _OPT_OUT.search(folded):
        problems.append(Problem(
            code="sms_opt_out", level="error",
            message=f"营销短信没有退订方式“{OPT_OUT}”。",
            suggestion=f"在短信末尾加上“{OPT_OUT}”;回复 T 的顾客系统会自动标记退订。"))
    if not _SIGNATURE.search(folded):
        problems.append(Problem(
            code="sms_signature", level="error",
            message="短信没有【品牌】签名。",
            suggestion="在开头加上报备过的签名,如“【品牌名】”。"))
    return problems


def _placeholders(folded: str) -> list[Problem]:
    found = list(dict.fromkeys(m.group(0) for m in _PLACEHOLDER.finditer(folded)))
    if not found:
        return []
    return [Problem(code="placeholder", level="error",
                    message=f"文案里还有没替换的占位符:{'、'.join(found)}。",
                    suggestion="换成实际内容,或删掉这一处。")]


@dataclass(frozen=True)
class _Word:
    word: str
    level: Level
    suggestion: str
    allowed_after: tuple[str, ...] = ()


@cache
def _word_lists() -> tuple[tuple[_Word, ...], tuple[_Word, ...]]:
    raw = tomllib.loads((resources.files("tools.drafts") / "checks.toml")
                        .read_text(encoding="utf-8"))
    absolute = tuple(_Word(_fold(w["word"]), w.get("level", "error"), w["suggestion"],
                           tuple(_fold(a) for a in w.get("allowed_after", ())))
                     for w in raw.get("absolute", []))
    internal = tuple(_Word(_fold(w["word"]), "warn", w["suggestion"])
                     for w in raw.get("internal", []))
    # longest first: "最低" reports its own advice, and the "最" in it is not reported again
    return (tuple(sorted(absolute, key=lambda w: -len(w.word))),
            tuple(sorted(internal, key=lambda w: -len(w.word))))


def banned_words() -> list[str]:
    """The absolute words checked, for tests and the docs."""
    return [w.word for w in _word_lists()[0]]


def _words(folded: str) -> list[Problem]:
    absolute, internal = _word_lists()
    problems = []
    taken: list[tuple[int, int]] = []
    for w in absolute:
        hits = _find(folded, w, taken)
        if hits:
            shown = "、".join(f"“{h}”" for h in dict.fromkeys(hits))
            problems.append(Problem(
                code="absolute_word", level=w.level,
                message=f"{shown}属于绝对化用语,广告法不允许这样宣传。" if w.level == "error"
                else f"{shown}容易被认为是夸大宣传,请确认有依据。",
                suggestion=w.suggestion))
    for w in internal:
        if _find(folded, w, []):
            problems.append(Problem(
                code="internal_term", level="warn",
                message=f"“{w.word}”是内部运营用语,顾客看到会觉得被贴了标签。",
                suggestion=w.suggestion))
    return problems


def _find(text: str, w: _Word, taken: list[tuple[int, int]]) -> list[str]:
    """Occurrences of w.word not followed by an allowed continuation and not inside a
    longer word already reported; what to show for each ("最" shows "最美")."""
    hits = []
    start = text.find(w.word)
    while start >= 0:
        end = start + len(w.word)
        rest = text[end:]
        inside = any(a <= start < b for a, b in taken)
        if not inside and not any(rest.startswith(a) for a in w.allowed_after):
            taken.append((start, end))
            hits.append(text[start:end + 1] if len(w.word) == 1 and rest[:1].strip()
                        else w.word)
        start = text.find(w.word, end)
    return hits


def date_present(text: str, date_text: str) -> bool:
    """Whether `text` names the days of `date_text`: every month/day in it, written as
    12月5日, 12月5号, 12-05, 12/5 or 12.5 (with or without the year and weekday);
    a date without month and day ("周六") must appear as written."""
    days = _month_days(_fold(date_text))
    hay = _fold(text)
    if not days:
        return _squash(date_text) in _squash(text)
    return all(re.search(rf"(?<!\d)0?{m}\s*(?:月\s*0?{d}(?!\d)|[-/.]\s*0?{d}(?!\d))", hay)
               for m, d in days)


def _month_days(text: str) -> list[tuple[int, int]]:
    out = []
    for m in _MONTH_DAY.finditer(text):
        month, day = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        out.append((int(month), int(day)))
    return out


def _fold(text: str) -> str:
    """Half-width letters, digits and signs ("１００％" is "100%"), spaces before % removed."""
    return re.sub(r"\s+%", "%", fold(text))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()

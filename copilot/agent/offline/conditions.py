"""Segment conditions in a message: "金卡 90天没来 消费两千以上 买过外套 没加企微的".

Returns `build_segment` arguments. Numbers may be digits or Chinese numerals; a number
counts only next to the words that say what it is (天没来, 元以上, 次以上), so "3号店" or
"最近30天" as a period never turns into a spend or a purchase count.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, timedelta
from typing import Any

from copilot.agent.offline.vocab import Vocabulary, words
from copilot.analytics.rfm import RFM_CLASSES
from copilot.lang.numerals import parse_number

NUM = r"(\d+(?:\.\d+)?\s*[kw万千]?|[零〇一二两三四五六七八九十百千万]+)"
_UNIT_DAYS = {"天": 1, "日": 1, "周": 7, "个星期": 7, "星期": 7, "个月": 30, "月": 30, "年": 365}
_AWAY = (r"(?:没来|没有来|未来|没到店|未到店|没回店|未回店|没消费|未消费|没有消费|没买|没有买|"
         r"不来|没再来|没进店)")
_DAYS_AWAY = re.compile(NUM + r"\s*(天|日|周|个星期|星期|个月|月|年)(?:以上|多|及以上)?"
                        r"(?:都|一直|还)?" + _AWAY)
_OVER_AWAY = re.compile(r"(?:超过|超|大于|多于|满)\s*" + NUM + r"\s*(天|日|周|个月|月|年)")
_HALF_YEAR = re.compile(r"半年(?:以上|多)?(?:都|一直|还)?" + _AWAY)
_CAME = r"(?:买过|消费过|来过|到过店|有消费|有购买|购买过|下过单|回过店|到店过)"
_RECENT = re.compile(r"(?:近|最近|"
                     r"过去)\s*" + NUM + r"\s*(天|日|周|个月|月)(?:内|以内|里)?(?:有)?" + _CAME
                     + r"|" + NUM + r"\s*(天|日|周|个月|月)(?:内|以内|之内)(?:有)?" + _CAME)
_DAYS_RANGE = re.compile(NUM + r"\s*(?:到|至|-|~|"
                               r"～)\s*" + NUM + r"\s*(天|日)(?:之间|以内)?(?:都|一直|还)?"
                         + _AWAY)
_SPEND_RANGE = re.compile(r"(?:消费|花了?|金额|spent|spend)"
                          r"[^\d一二两三四五六七八九十百千万]{0,4}" + NUM
                          + r"\s*(?:元|块钱|块)?\s*(?:到|至|-|~|～|and)\s*" + NUM)
_TIMES_RANGE = re.compile(NUM + r"\s*(?:到|至|-|~|～)\s*" + NUM + r"\s*(?:次|笔|单)")
_SPEND_MIN = re.compile(r"(?:消费|花了?|买了|累计|金额|单价)?"
                        r"(?:满|超过|大于|高于|>|≥|不少于|至少)?\s*"
                        + NUM + r"\s*(?:元|块钱|块|rmb|¥)?\s*(?:以上|及以上|起|\+|多)")
_SPEND_MAX = re.compile(r"(?:消费|花了?|金额)?(?:(?:不到|低于|少于|小于|<|≤|不超过|under|below)\s*"
                        + NUM + r"\s*(?:元|块钱|块|rmb)?|" + NUM
                        + r"\s*(?:元|块钱|块)?\s*(?:以下|以内|之内))")
_SPEND_OVER = re.compile(r"(?:消费|花了?|买了|累计|金额|spent|spend)\s*(?:满|超过|大于|高于|>|≥|"
                         r"不少于|至少|over|above)\s*"
                         + NUM)
_TIMES_MIN = re.compile(NUM + r"\s*(?:次|笔|单)(?:以上|及以上|或以上|\+)")
_TIMES_MAX = re.compile(NUM + r"\s*(?:次|笔|单)(?:以下|以内)")
_ONCE = re.compile(r"(?:只|就|仅)(?:买|消费|来)(?:过|了)?(?:一|1)(?:次|单|笔)")
_BDAY_MONTH = re.compile(r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月(?:份)?(?:的)?(?:过)?生日|"
                         r"生日(?:在|是)\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月")
_BDAY_SOON = re.compile(r"(?:" + NUM + r"\s*天|一周|一个星期|这周|本周|7天)"
                        r"(?:内|以内|之内)?(?:要)?(?:过)?生日|"
                        r"生日.{0,4}?(?:" + NUM + r"\s*天|一周|这周|本周)(?:内|以内|之内)")
_NO_WECOM = re.compile(r"(?:没|未|还没|没有)(?:加|添加|加上|加过)(?:了)?(?:企微|企业微信|微信)|"
                       r"not on wecom|without wecom|(?:haven'?t|not|never) added .{0,12}wecom|"
                       r"no wecom")
_WECOM = re.compile(r"(?:已|已经|加了|添加了|有)(?:加)?(?:企微|企业微信)|企微好友|on wecom")
_NAME = r"\s*[“\"「『']?([^”\"」』',,。!!??\s]{1,30})"
_SAVE_NAMED = re.compile(r"(?:叫做|名字叫|命名为|取名为|取名叫|取名|名为|叫|named|called)" + _NAME)
_SAVE = re.compile(r"(?:存成|存为|保存为|保存成|存到|save (?:it )?as)\s*(?:一个)?(?:分组)?" + _NAME)
_EXCLUDE = re.compile(r"(?:不要|排除|除了|除去|不含|没有|去掉|剔除|非|without|not)\s*"
                      r"(?:有|带|含|打了?)?.{0,2}$")
_JOINED = re.compile(r"(\d{4}-\d{2}-\d{2}~\d{4}-\d{2}-\d{2}|今年|本月|这个月|上个?月|去年|"
                     r"最近\S{1,6}天|近\S{1,6}天|"
                     r"\d{1,2}月(?:份)?(?:以来|之后)?)"
                     r"\s*(?:新)?(?:入会|加入|注册|办卡|开卡)")


def _num(token: str) -> float | None:
    t = token.replace(" ", "")
    scale = 1.0
    if t.endswith("k") or (t.endswith("千") and t[:-1].replace(".", "").isdigit()):
        t, scale = t[:-1], 1000.0
    elif t.endswith("w") or (t.endswith("万") and t[:-1].replace(".", "").isdigit()):
        t, scale = t[:-1], 10000.0
    value = parse_number(t)
    return None if value is None else float(value) * scale


def segment_conditions(text: str, vocab: Vocabulary, today: date,
                       raw: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    raw = raw or text
    if re.search(r"存|保存|分组|命名|取名|新建|建一个|save", text):
        name, span = _save_name(raw)
        if name:
            out["save_as"] = name
            text = text[:span[0]] + " " + text[span[1]:]  # "银卡召回" is a name, not a tier
    _named(out, text, vocab)
    _recency(out, text)
    _amounts(out, text)
    _birthday(out, text, today)
    _joined(out, text, today)
    if _NO_WECOM.search(text):
        out["wecom_added"] = False
    elif _WECOM.search(text):
        out["wecom_added"] = True
    if re.search(r"(包括|包含|含|连)(已)?退订|退订.{0,6}(也算|也要|算上|也包括)|include opted.out",
                 text):
        out["include_opted_out"] = True
    return out


_DROP_EN = re.compile(r"(?:leave out|leaving out|exclude|excluding|except|without|minus)\b"
                      r"[^,.;]{0,30}$")


def _dropped(text: str, word: str, gap: int = 3) -> bool:
    """"不要怕打扰的" / "把怕打扰的去掉" / "leave out anyone tagged 怕打扰": left out. Tiers
    allow no gap ("普卡不要"), so "金卡会员 去掉怕打扰的" keeps 金卡."""
    at = text.find(word)
    before, after = text[max(0, at - 8):at], text[at + len(word):]
    drop_after = rf"^.{{0,{gap}}}(?:去掉|不要|排除|除外|以外的?|剔除|剔掉|删掉|拿掉|exclude)"
    return bool((_EXCLUDE.search(before) if gap > 1 else re.search(r"(不要|除了|排除|去掉|非|"
                                                                   r"不是)$",
                                                                   before))
                or re.search(drop_after, after) or _DROP_EN.search(text[max(0, at - 40):at]))


def _save_name(raw: str) -> tuple[str | None, tuple[int, int]]:
    """The name to save under, case kept; English names may have spaces."""
    if m := re.search(r"save (?:it |them |this )?as\s+[\"'“]?(.+?)[\"'”]?\s*[.!]?$", raw, re.I):
        return m.group(1).strip(), m.span()
    m = _SAVE_NAMED.search(raw) or _SAVE.search(raw)
    if m and m.group(1) not in ("分组", "人群包"):
        return m.group(1), m.span()
    return None, (0, 0)


_JOINED_EN = re.compile(r"joined (?:us )?(?:in )?(this year|this month|last month|last year|"
                        r"the last \d+ days|last week)")


_JOINED_BEFORE = re.compile(r"(\d{4})年(?:以前|之前)(?:就)?(?:入会|加入|注册|办卡)")
_JOINED_SINCE = re.compile(r"(?:(今年|去年)|(\d{4})年)?(\d{1,2})月(\d{1,2})[号日](?:以后|之后|起)"
                           r"(?:才)?(?:入会|加入|注册|办卡)")


def _joined(out: dict[str, Any], text: str, today: date) -> None:
    from copilot.errors import UserError
    from copilot.lang.dates import resolve_period

    if m := _JOINED_BEFORE.search(text):
        out["joined_before"] = f"{int(m.group(1)) - 1}-12-31"
        return
    if m := _JOINED_SINCE.search(text):
        year = int(m.group(2)) if m.group(2) else today.year - (m.group(1) == "去年")
        with contextlib.suppress(ValueError):
            out["joined_after"] = date(year, int(m.group(3)), int(m.group(4))).isoformat()
        return

    if not (m := _JOINED.search(text) or _JOINED_EN.search(text)):
        return
    try:
        found = resolve_period(m.group(1), today)
    except UserError:
        return
    if found is None:
        return
    out["joined_after"] = found.period.start.isoformat()
    if found.period.end < today - timedelta(days=1):
        out["joined_before"] = found.period.end.isoformat()


def _named(out: dict[str, Any], text: str, vocab: Vocabulary) -> None:
    tiers = [t for t, ws in words("tiers").items() if any(w in text for w in ws)]
    left_out = [t for t, ws in words("tiers").items()
                if any(_dropped(text, w, gap=1) for w in ws if w in text)]
    if left_out:  # "普卡不要": every other tier; "是银卡 不是金卡": just 银卡
        kept = [t for t in tiers if t not in left_out]
        tiers = kept or [t for t in words("tiers") if t not in left_out]
    groups = [g for g, ws in words("interval_groups").items() if any(w in text for w in ws)]
    rfm = [c for c in RFM_CLASSES.values() if c in text]
    english = words("categories_en")
    cats = [c for c in vocab.categories
            if c in text or any(re.search(rf"\b{w}\b", text) for w in english.get(c, ()))]
    tags_any: list[str] = []
    tags_none: list[str] = []
    for tag in vocab.tags:
        at = text.find(tag)
        if at < 0:
            continue
        (tags_none if _dropped(text, tag) else tags_any).append(tag)
    for key, value in (("tiers", tiers), ("interval_groups", groups), ("rfm_classes", rfm),
                       ("categories", cats), ("tags_none", tags_none)):
        if value:
            out[key] = value
    if tags_any:
        both = re.search(r"同时|并且|而且|都有|都得有|都要有|全部|既|又|all of|both", text)
        out["tags_all" if both and len(tags_any) > 1 else "tags_any"] = tags_any


def _days(m: re.Match[str]) -> int | None:
    value = _num(m.group(1))
    return None if value is None else int(value * _UNIT_DAYS.get(m.group(2), 1))


_EN_AWAY = re.compile(r"(?:haven'?t|have not|not|no purchase|hasn'?t|didn'?t)\s*(?:bought|"
                      r"purchased|"
                      r"shopped|visited|been in|come in|came in)?(?: anything)?\s*(?:in|for)?\s*"
                      r"(?:over |more than )?(\d+)\+?\s*days")
_EN_RECENT = re.compile(r"(?:bought|purchased|shopped|visited)\s*(?:in|within)\s*the\s*(?:last|"
                        r"past)\s*"
                        r"(\d+)\s*days")


def _recency(out: dict[str, Any], text: str) -> None:
    if m := _EN_AWAY.search(text):
        out["days_since_min"] = int(m.group(1))
    if m := _EN_RECENT.search(text):
        out["days_since_max"] = int(m.group(1))
    if m := _DAYS_RANGE.search(text):
        low, high = _num(m.group(1)), _num(m.group(2))
        if low is not None and high is not None:
            out["days_since_min"], out["days_since_max"] = int(low), int(high)
            return
    if (m := _DAYS_AWAY.search(text)) or (m := _OVER_AWAY.search(text)):
        if (d := _days(m)) is not None:
            out["days_since_min"] = d
    elif _HALF_YEAR.search(text):
        out["days_since_min"] = 180
    if m := _RECENT.search(text):
        value = _num(m.group(1) or m.group(3))
        unit = m.group(2) or m.group(4)
        if value is not None:
            out["days_since_max"] = int(value * _UNIT_DAYS.get(unit, 1))


def _amounts(out: dict[str, Any], text: str) -> None:
    if _ONCE.search(text):
        out["purchases_min"] = out["purchases_max"] = 1
    if m := _TIMES_RANGE.search(text):
        out["purchases_min"], out["purchases_max"] = int(_num(m.group(1)) or 0), int(
            _num(m.group(2)) or 0)
    if m := _TIMES_MIN.search(text):
        out["purchases_min"] = int(_num(m.group(1)) or 0)
    if m := _TIMES_MAX.search(text):
        out["purchases_max"] = int(_num(m.group(1)) or 0)
    money = re.sub(_TIMES_RANGE.pattern + "|" + _TIMES_MIN.pattern + "|" + _TIMES_MAX.pattern,
                   " ", text)
    money = _DAYS_AWAY.sub(" ", _RECENT.sub(" ", money))
    money = re.sub(NUM + r"\s*(?:天|日|周|个月|月|年|号|岁)|\d+\+?\s*days?", " ", money)
    if m := _SPEND_RANGE.search(money):
        low, high = _num(m.group(1)), _num(m.group(2))
        if low is not None and high is not None and low <= high:
            out["spend_min"], out["spend_max"] = low, high
            return
    if ((m := _SPEND_MIN.search(money)) or (m := _SPEND_OVER.search(money))) \
            and (v := _num(m.group(1))) is not None:
        out["spend_min"] = v
    if (m := _SPEND_MAX.search(money)) and (v := _num(m.group(1) or m.group(2))) is not None:
        out["spend_max"] = v


def _birthday(out: dict[str, Any], text: str, today: date) -> None:
    if "生日" not in text and "birthday" not in text:
        return
    if m := _BDAY_MONTH.search(text):
        month = parse_number(m.group(1) or m.group(2))
        if month and 1 <= month <= 12:
            out["birthday_month"] = int(month)
            return
    if re.search(r"(本月|这个月|当月|this month).{0,4}(生日|birthday)|"
                 r"(生日|birthday).{0,4}(本月|这个月|this month)", text):
        out["birthday_month"] = today.month
    elif re.search(r"下个?月.{0,4}生日|next month", text):
        out["birthday_month"] = today.month % 12 + 1
    elif m := re.search(r"(两周|二周|半个月|一个月|两个星期)(?:内|以内|"
                        r"之内)?(?:要)?(?:过)?生日", text):
        out["birthday_within_days"] = {"两周": 14, "二周": 14, "两个星期": 14, "半个月": 15,
                                       "一个月": 30}[m.group(1)]
    elif m := _BDAY_SOON.search(text):
        token = m.group(1) or m.group(2)
        out["birthday_within_days"] = int(_num(token) or 7) if token else 7
    else:
        out["birthday_within_days"] = 7

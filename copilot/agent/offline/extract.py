"""What a message names: stores, regions, periods, metrics, comparisons, members, staff.

Pure functions over the message text and the vocabulary; the segment conditions are in
`conditions.py`. Nothing here decides what the user wants (that is `intents.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from copilot.agent.offline.places import find_cities, find_regions, find_stores
from copilot.agent.offline.vocab import Vocabulary, lexicon, metric_aliases, patterns, words
from copilot.errors import UserError
from copilot.lang.dates import find_periods
from copilot.lang.numerals import parse_number

_MEMBER_ID = re.compile(r"(?<![a-z0-9])m\d{2,}(?![0-9])")
_PHONE_TAIL = re.compile(r"(?:尾号|后四位|末四位|手机尾号?|电话尾号?|ending(?: in)?|"
                         r"last four(?: digits)?)\D{0,3}(\d{3,4})(?![\d-])")
_SURNAME = re.compile(r"(?<!百)姓(?!名)([\u4e00-\u9fa5])(?:的)?")
_MEMBER_NAME = re.compile(r"(?:查|找|看)(?:一下|下)?(?:会员|顾客|客人)\s*"
                          r"([\u4e00-\u9fa5]{2,3})(?:的|$|\s)")
_CALLED = re.compile(r"(?:(?:找|查|看)(?:一)?下?.{0,4}叫([\u4e00-\u9fa5]{2,3}?)(?:的|那)|"
                     r"(?:客人|顾客|会员|女士|先生|一位|有位)[^,,。]{0,3}叫(?!什么|啥)([\u4e00-\u9fa5]{2,3})"
                     r"(?=\s|,|,|。|说|的|$))")
_NTH = re.compile(r"第\s*([一二三四五六七八九十\d]{1,2})\s*(?:个|位)")
_ORDINAL = re.compile(r"第\s*([二三四五六七八九十2-9])\s*(?:名|那家|家|位)")
_PICK_PHRASE = re.compile(r"[\u4e00-\u9fa5a-z]{1,6}?(?:最低|最高|最好|最差|倒数第一|排第一)"
                          r"的?那家")
_HALF = re.compile(r"(今年|去年|前年)?(上|下)半年")
_SLASH_RANGE = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})\s*(?:-|~|～|到|"
                          r"至)\s*(\d{1,2})/(\d{1,2})(?!\d)")
_TEN_DAYS = re.compile(r"(上个?月|这个?月|本月)(上旬|中旬|下旬)")
_WEEK_OF = re.compile(r"(\d{1,2})月(\d{1,2})[号日](?:那|这)一?周")
_STAFF_ID = re.compile(r"(?<![a-z0-9])e\d{4}(?![0-9])")
_RANGE_GAP = re.compile(r"^\s*(?:到|至|~|～|-|—|to|until)\s*$")
_ASCII_WORD = re.compile(r"[a-z]")


_RELATIONAL = re.compile(r"(?:跟|和|与|比|对比|相比|较|vs\.?|versus|compared? (?:with|to))\s*"
                         r"(?:the\s)?(?:whole\s|entire\s)?(全连锁|连锁|全国|全公司|区域|大区|chain|region)")
_LIMIT = re.compile(r"(?:前|top\s?|给我看?|只要|列|先看|看)\s*(\d{1,3}|"
                    r"[一二两三四五六七八九十]{1,3})"
                    r"\s*(?:个|位|名|条)?")
# Which store of a ranking "那家" means: by rank (best/worst in the metric's direction) or
# by value (a churn rate's "最高" is the worst store).
_PICKS = (("worst", re.compile(r"倒数第一|最差|垫底|拖后腿|最后一名|worst|bottom")),
          ("best", re.compile(r"第一名|最好|排第一|best|top store")),
          ("highest", re.compile(r"最高|最多|highest")),
          ("lowest", re.compile(r"最低|最少|lowest")))
_REFERS = re.compile(r"那家|这家|那个店|这个店|那一家|它|that store|this store")


@dataclass
class Signals:
    text: str  # lower-cased, typos fixed
    raw: str = ""  # as typed (names keep their case), without @mentions
    lang: str = "zh"
    stores: list[str] = field(default_factory=list)
    store_key: str | None = None  # a name we could not pin down: the tool explains it
    own_store: bool = False
    regions: list[str] = field(default_factory=list)
    chain: bool = False
    period: str | None = None
    period_error: str | None = None
    metrics: list[str] = field(default_factory=list)
    compare: list[str] = field(default_factory=list)
    member_id: str | None = None
    phone_tail: str | None = None
    member_name: str | None = None
    staff: str | None = None
    segment: dict[str, Any] = field(default_factory=dict)  # build_segment arguments
    reasons: list[str] = field(default_factory=list)  # follow-up reasons asked for
    limit: int | None = None
    pick: str | None = None  # best/worst/highest/lowest: a store from the last ranking
    refers: bool = False  # "那家", "it": a store from the last answer
    rank: int | None = None  # "第二名那家": a place in the last ranking
    nth: int | None = None  # "第二个那位": a place in the last list of members
    day: str | None = None  # a single day named ("7月3号", "明天"), ISO
    city_stores: list[str] = field(default_factory=list)  # "天津三家店"

    @property
    def scope_named(self) -> bool:
        return bool(self.stores or self.store_key or self.regions or self.chain)


MAX_READ = 300  # characters understood: a request is a sentence or two, and the patterns
# below must never face an adversarial essay (their cost grows fast with length)


def clean(message: str) -> str:
    """Lower case, @mentions dropped, spaces collapsed, known typos fixed, cut to MAX_READ."""
    text = re.sub(r"\s+", " ", re.sub(r"@\S+\s?", " ", message[:4 * MAX_READ]))
    text = text.lower().strip()[:MAX_READ]
    for wrong, right in words_typos().items():
        text = text.replace(wrong, right)
    return text


def words_typos() -> dict[str, str]:
    return lexicon()["typos"]


def extract(message: str, vocab: Vocabulary, today: date) -> Signals:
    from copilot.agent.offline.conditions import segment_conditions

    message = _normal_periods(message, today)
    text = clean(message)
    raw = re.sub(r"\s+", " ", re.sub(r"@\S+\s?", " ", message[:4 * MAX_READ])).strip()[:MAX_READ]
    for wrong, right in words_typos().items():  # 明儿 is 明天 for the date parser too
        raw = raw.replace(wrong, right)
    sig = Signals(text=text, raw=raw, lang=_lang(text))
    find_stores(sig, vocab)
    find_regions(sig, vocab)
    relational = {_COMPARE_OF[m.group(1)] for m in _RELATIONAL.finditer(text)}
    named = [r for r in sig.regions if re.search(r"(?:跟|和|与|比|对比|相比|较)\s*" + r, text)]
    if named:
        relational.add("region")  # "朝阳店 … 跟华北整体比": the store's region as benchmark
        sig.regions = [r for r in sig.regions if r not in named]
    scope_text = _RELATIONAL.sub(" ", text)
    sig.chain = any(w in scope_text for w in words("scope")["chain"]) and not sig.stores
    sig.own_store = any(w in text for w in words("scope")["own"])
    said = [w for ws in words("compare").values() for w in ws if w in text]
    _period(sig, _blank(raw, said), today)  # raw keeps digits and case for the parser
    sig.segment = segment_conditions(text, vocab, today, raw)
    # the tag "高客单" is no 客单价; "流失最低那家" picks a store, it does not ask for 流失率;
    # nor does a segment called "南开金卡预流失"
    names = (*vocab.tags, str(sig.segment.get("save_as", "")).lower())
    sig.metrics = _metrics(_PICK_PHRASE.sub(" ", _without(text, names)))
    sig.compare = [k for k, ws in words("compare").items() if any(w in text for w in ws)]
    if "region" in sig.compare and sig.regions and not sig.stores and "region" not in relational:
        sig.compare.remove("region")  # "华北区域" names a scope, not a comparison
    if "chain" in sig.compare and sig.chain and not sig.stores:
        sig.compare.remove("chain")
    sig.compare = list(dict.fromkeys([*sig.compare, *sorted(relational)]))
    _people(sig, vocab)
    _followup_slots(sig)
    _day(sig, today)
    find_cities(sig, vocab)
    _two_periods(sig, today)
    return sig


_COMPARE_OF = {"全连锁": "chain", "连锁": "chain", "全国": "chain", "全公司": "chain",
               "chain": "chain", "区域": "region", "大区": "region", "region": "region"}


def _year_of(month: int, day: int, today: date) -> int:
    """The latest such day not after today."""
    return today.year if (month, day) <= (today.month, today.day) else today.year - 1


def _normal_periods(message: str, today: date) -> str:
    """Periods the parser refuses to guess, written as explicit dates: 上半年, 6/1-6/15,
    上个月下旬, 6月8号那一周."""
    from copilot.lang.rules import add_months, month_bounds

    def slash(m: re.Match[str]) -> str:
        a, b, c, d = (int(x) for x in m.groups())
        year = _year_of(a, b, today)
        try:  # "12/20-1/3": the end is in the next year
            return f"{date(year, a, b).isoformat()}~{date(year + ((c, d) < (a, b)), c, d)}"
        except ValueError:
            return m.group(0)

    def tenth(m: re.Match[str]) -> str:
        month = add_months(today, -1) if m.group(1).startswith("上") else today
        first, last = month_bounds(month.year, month.month)
        start, end = {"上旬": (1, 10), "中旬": (11, 20), "下旬": (21, last.day)}[m.group(2)]
        return f"{first.replace(day=start).isoformat()}~{first.replace(day=end).isoformat()}"

    def week(m: re.Match[str]) -> str:
        month, day = int(m.group(1)), int(m.group(2))
        try:
            d = date(_year_of(month, day, today), month, day)
        except ValueError:
            return m.group(0)
        monday = d - timedelta(days=d.weekday())
        return f"{monday.isoformat()}~{(monday + timedelta(days=6)).isoformat()}"

    message = _SLASH_RANGE.sub(slash, message)
    message = _TEN_DAYS.sub(tenth, message)
    return _halves(_WEEK_OF.sub(week, message), today)


def _halves(message: str, today: date) -> str:
    """"上半年" / "去年下半年" as explicit dates: the period parser refuses to guess them."""
    def dates(m: re.Match[str]) -> str:
        year = today.year - {"今年": 0, "去年": 1, "前年": 2}.get(m.group(1) or "", 0)
        if not m.group(1) and m.group(2) == "上" and today.month <= 6:
            year -= 1  # "上半年" in spring: last year's first half
        first = m.group(2) == "上"
        return f"{year}-{'01-01' if first else '07-01'}~{year}-{'06-30' if first else '12-31'}"
    return _HALF.sub(dates, message)


def _without(text: str, names: tuple[str, ...]) -> str:
    for name in sorted((n for n in names if n and n in text), key=len, reverse=True):
        text = text.replace(name, " ")
    return text


def _blank(raw: str, phrases: list[str]) -> str:
    """The message with comparison words blanked ("比上月" is no period of its own)."""
    out = raw
    for p in sorted(phrases, key=len, reverse=True):
        out = re.sub(re.escape(p), lambda m: " " * len(m.group(0)), out, flags=re.I)
    return out


def _day(sig: Signals, today: date) -> None:
    from copilot.lang.days import parse_day_phrase

    try:
        day = parse_day_phrase(sig.raw, today)
    except UserError:
        return
    if day is not None and day != today:
        sig.day = day.isoformat()


def _followup_slots(sig: Signals) -> None:
    table = words("followup_reasons")
    wanted: list[str] = []
    unwanted: set[str] = set()
    for clause in re.split(r"[\s,,;;。、]+", sig.text):  # "生日和升级的先不看" excludes both
        found = [k for k, ws in table.items() if any(w in clause for w in ws)]
        if re.search(r"先不看|不看|不要|除了|排除|去掉|不用|except|without", clause):
            unwanted.update(found)
        else:
            wanted += found
    if unwanted and not wanted:
        wanted = [k for k in table if k not in unwanted]
    sig.reasons = [k for k in wanted if k not in unwanted]
    if m := _LIMIT.search(sig.text) or re.search(
            r"挑.{0,10}?(\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?:个|位|名)", sig.text):
        n = parse_number(m.group(1))
        sig.limit = int(n) if n and 1 <= n <= 200 else None
    sig.pick = next((kind for kind, pattern in _PICKS if pattern.search(sig.text)), None)
    if m := _NTH.search(sig.text):
        n = parse_number(m.group(1))
        sig.nth = int(n) if n is not None else -1  # present even when unreadable
    if m := _ORDINAL.search(sig.text):
        sig.rank = int(parse_number(m.group(1)) or 0) or None
    sig.refers = bool(_REFERS.search(sig.text))


def _two_periods(sig: Signals, today: date) -> None:
    """"Q2 转化率 跟一季度比": two periods and a comparison word; the second says which."""
    from tools.common import last_year, previous_period

    if not (sig.period and re.search(r"比|对比|相比|vs|versus|compared?|and", sig.text)):
        return
    try:
        found = find_periods(sig.raw, today)
    except UserError:
        return
    if len(found) < 2:
        return
    first, second = found[0].period, found[1].period
    sig.period = found[0].matched
    if second == previous_period(first) and "previous" not in sig.compare:
        sig.compare.append("previous")
    elif second == last_year(first) and "last_year" not in sig.compare:
        sig.compare.append("last_year")


def _lang(text: str) -> str:
    letters = [c for c in text if not c.isspace() and not c.isdigit()]
    ascii_share = sum(1 for c in letters if _ASCII_WORD.match(c)) / max(len(letters), 1)
    return "en" if ascii_share > 0.6 else "zh"


def _period(sig: Signals, message: str, today: date) -> None:
    raw = re.sub(r"@\S+\s?", " ", message)
    try:
        found = find_periods(raw, today)
    except UserError as exc:  # "下周周会要讲 … 上个月的复购率": the period that has data
        found = _usable_periods(raw, today)
        if not found:
            sig.period_error = exc.zh if sig.lang != "en" else exc.en
            return
        sig.period = found[0].matched  # its span is in a clause, not in the message
        return
    if not found:
        return
    usable = [f for f in found if f.period.start < today]  # "今天早会…最近30天": the 30 days
    if usable and usable[0] is not found[0]:
        found = usable
    first = last = found[0]
    if first.period.start >= today:  # "本季度" on its first day: nothing complete yet
        sig.period_error = (f"“{first.matched}”今天({today.isoformat()})才开始,还没有数据可查;"
                            "可以问上个月或最近一个月。")
        return
    if len(found) >= 2 and _RANGE_GAP.match(raw[found[0].span[1]:found[1].span[0]]):
        last = found[1]
    sig.period = raw[first.span[0]:last.span[1]].strip()


def _usable_periods(raw: str, today: date) -> list[Any]:
    """Periods in the message's clauses, skipping the ones that cannot be asked about."""
    for clause in re.split(r"[\s,,。;;!!]+", raw):
        try:
            found = find_periods(clause, today)
        except (UserError, ValueError, OverflowError):
            continue
        if found and found[0].period.start < today:
            return found
    return []


def _metrics(text: str) -> list[str]:
    found: list[str] = []
    for word, keys in lexicon()["metric_groups"].items():
        if word in text:
            found += keys
    rest = text
    for group_words in words("interval_groups").values():  # "流失会员" is no churn rate
        for w in group_words:
            rest = rest.replace(w, " ")
    for alias, key in metric_aliases():
        if alias in rest:
            found.append(key)
            rest = rest.replace(alias, " ")
    order = {k: text.find(a) for a, k in metric_aliases() if a in text}
    return sorted(dict.fromkeys(found), key=lambda k: order.get(k, 10**6))


def _people(sig: Signals, vocab: Vocabulary) -> None:
    if m := _MEMBER_ID.search(sig.text):
        sig.member_id = m.group(0).upper()
    if m := _PHONE_TAIL.search(sig.text):
        sig.phone_tail = m.group(1)
    if m := _MEMBER_NAME.search(sig.text):
        sig.member_name = m.group(1)
    elif m := _CALLED.search(sig.text):
        sig.member_name = m.group(1) or m.group(2)
    elif m := _SURNAME.search(sig.text):  # "姓顾的钻石卡老客": the tool matches a surname
        sig.member_name = m.group(1)
    if m := _STAFF_ID.search(sig.text):
        sig.staff = m.group(0).upper()
    else:
        sig.staff = next((sid for name, sid in vocab.staff.items()
                          if len(name) >= 2 and name in sig.text), None)


def matches(section: str, key: str, text: str) -> bool:
    return any(p.search(text) for p in patterns(section)[key])

"""Vectorised parsers: strings in, typed values and the reasons bad values were refused out.

Every parser takes the column's stripped strings ("" = empty) and returns a `Parsed`: the
converted values (missing where the cell was empty or bad) and a list of problems, each a
row mask with a Chinese and an English reason. Empty cells are never a problem here;
whether a column must be filled is decided by the validator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

Reason = str | pd.Series


@dataclass
class Parsed:
    values: pd.Series
    problems: list[tuple[pd.Series, Reason, Reason]] = field(default_factory=list)

    def problem(self, mask: pd.Series, zh: Reason, en: Reason) -> None:
        if mask.any():
            self.problems.append((mask, zh, en))


def text(s: pd.Series, max_len: int | None) -> Parsed:
    out = Parsed(s.where(s != ""))
    if max_len is not None:
        out.problem(s.str.len() > max_len, f"内容过长,最多 {max_len} 个字符",
                    f"too long, at most {max_len} characters")
    return out


# ---- dates and times -------------------------------------------------------------------------
_FAST = "%Y-%m-%d %H:%M:%S"
_TIME = r"(?:(?:\s+|T)(?P<H>\d{1,2})[:：](?P<M>\d{1,2})(?:[:：](?P<S>\d{1,2})(?:\.\d{1,6})?)?)?"
_DATE_RE = (r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
            + _TIME + "$")
_COMPACT_RE = r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})" + _TIME + "$"
_DATE_HELP_ZH = ("无法识别的日期,请用 2024-01-05、2024/1/5、2024.1.5、20240105 或 2024年1月5日"
                 "(可带 14:30)")
_DATE_HELP_EN = ("unrecognised date; use 2024-01-05, 2024/1/5, 2024.1.5, 20240105 or "
                 "2024年1月5日 (optionally with 14:30)")
_EARLIEST = pd.Timestamp(1900, 1, 1)


def _datetimes(s: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(timestamps, unrecognised mask, impossible-date mask)."""
    filled = s != ""
    out = pd.to_datetime(s.where(filled), format=_FAST, errors="coerce").astype("datetime64[us]")
    unrecognised = pd.Series(False, index=s.index)
    impossible = pd.Series(False, index=s.index)
    rest = filled & out.isna()
    if rest.any():
        sub = s[rest]
        parts = sub.str.extract(_DATE_RE)
        compact = parts["y"].isna()
        if compact.any():
            parts.loc[compact] = sub[compact].str.extract(_COMPACT_RE).to_numpy()
        matched = parts["y"].notna()
        nums = parts.apply(pd.to_numeric, errors="coerce")
        nums[["H", "M", "S"]] = nums[["H", "M", "S"]].fillna(0)
        clock_ok = (nums["H"] <= 23) & (nums["M"] <= 59) & (nums["S"] <= 59)
        usable = matched & clock_ok
        built = pd.to_datetime(
            nums.rename(columns={"y": "year", "m": "month", "d": "day", "H": "hour",
                                 "M": "minute", "S": "second"}).where(usable),
            errors="coerce",
        ) if usable.any() else pd.Series(pd.NaT, index=sub.index)
        out[rest] = built.astype("datetime64[us]")
        unrecognised[rest] = ~matched
        impossible[rest] = matched & built.isna()
    return out, unrecognised, impossible


# Sales and sign-ups before this are typos (1900-01-01 is a common spreadsheet default).
_EARLIEST_BUSINESS = pd.Timestamp("1990-01-01")


def timestamp(s: pd.Series, now: datetime) -> Parsed:
    """A point in time (store wall-clock); refused when impossible or in the future."""
    values, unrecognised, impossible = _datetimes(s)
    out = Parsed(values)
    out.problem(unrecognised, _DATE_HELP_ZH, _DATE_HELP_EN)
    out.problem(impossible, "日期或时间不存在", "no such date or time")
    too_early = values < _EARLIEST_BUSINESS
    out.problem(too_early, "时间早于 1990 年,请检查是否填错", "time before 1990; probably a typo")
    out.problem(values > pd.Timestamp(now), "时间晚于当前时间", "time is in the future")
    out.values = values.where(~too_early & ~(values > pd.Timestamp(now)))
    return out


def calendar_date(s: pd.Series, today: datetime | None = None) -> Parsed:
    """A calendar day as `datetime.date`; a given `today` refuses later days (birthdays)."""
    values, unrecognised, impossible = _datetimes(s)
    values = values.dt.normalize()
    out = Parsed(values)
    out.problem(unrecognised, _DATE_HELP_ZH, _DATE_HELP_EN)
    out.problem(impossible, "日期不存在", "no such date")
    early = values < _EARLIEST
    out.problem(early, "日期早于 1900 年", "date before 1900")
    late = pd.Series(False, index=s.index)
    if today is not None:
        late = values > pd.Timestamp(today).normalize()
        out.problem(late, "日期晚于今天", "date is after today")
    values = values.where(~early & ~late)
    out.values = pd.Series(values.dt.date.where(values.notna(), None), index=s.index,
                           dtype="object")
    return out


# ---- numbers ---------------------------------------------------------------------------------
_NUMBER = r"\d+(?:\.\d*)?|\.\d+"
_CENT = Decimal("0.01")


def money(s: pd.Series, int_digits: int) -> Parsed:
    """Non-negative amount with at most 2 decimals (more are rounded half up), as text.

    Text, not float, so the database stores exactly what the file says.
    """
    plain = s.str.fullmatch(rf"\d{{1,{int_digits}}}(?:\.\d{{1,2}})?")  # the common case, fast
    out = Parsed(s.where(plain))
    rest = (s != "") & ~plain
    if not rest.any():
        return out
    t = s[rest].str.replace(r"[\s¥￥]", "", regex=True).str.replace(
        r"^(?:RMB|CNY|rmb|cny)|元$", "", regex=True)
    # A comma is a thousands separator only in groups of three ("1,299.00"); "10,5" is a
    # decimal comma typed by mistake and must not silently become 105.
    thousands = t.str.fullmatch(r"[-−]?\d{1,3}(?:[,，]\d{3})+(?:\.\d*)?")
    t = t.where(~thousands, t.str.replace(r"[,，]", "", regex=True))
    ok = t.str.fullmatch(_NUMBER)
    negative = t.str.fullmatch("[-−](?:" + _NUMBER + ")")
    whole = t.where(ok, "").str.split(".").str[0].str.lstrip("0")
    too_big = ok & (whole.str.len() > int_digits)
    good = ok & ~too_big
    if good.any():
        out.values[good.index[good]] = [
            str(Decimal(v).quantize(_CENT, ROUND_HALF_UP)) for v in t[good]
        ]
    out.problem(_full(negative, s), "金额不能为负数", "amount cannot be negative")
    out.problem(_full(~ok & ~negative, s), "金额格式不对,应为数字(可带 ¥、元、千分位逗号)",
                "not an amount; expected a number (¥, 元 and thousands commas are fine)")
    out.problem(_full(too_big, s), "金额过大", "amount too large")
    return out


_INT_MAX = 2_147_483_647


def integer(s: pd.Series, minimum: int) -> Parsed:
    """Whole number >= minimum ("3", "1,200", "3.0"); int64 values, 0 where empty or bad."""
    plain = s.str.fullmatch(r"\d{1,9}")  # the common case, fast
    nums = pd.to_numeric(s.where(plain, "0")).astype("int64")
    rest = (s != "") & ~plain
    ok = plain.copy()
    too_big = pd.Series(False, index=s.index)
    if rest.any():
        t = s[rest].str.replace(r"[\s,，]", "", regex=True)
        sub_ok = t.str.fullmatch(r"\+?\d+(?:\.0*)?")
        digits = t.where(sub_ok, "0").str.replace(r"^\+|\.0*$", "", regex=True).str.lstrip("0")
        sub_big = sub_ok & ((digits.str.len() > 10)
                            | (pd.to_numeric(digits.str.slice(0, 11).replace("", "0")) > _INT_MAX))
        nums[rest] = pd.to_numeric(digits.where(sub_ok & ~sub_big, "0").replace("", "0"))
        ok[rest] = sub_ok
        too_big = _full(sub_big, s)
    small = ok & ~too_big & (nums < minimum)
    out = Parsed(nums.where(ok & ~too_big & ~small, 0))
    if minimum > 0:
        zh, en = "应为正整数", "expected a positive whole number"
    else:
        zh, en = "应为不小于 0 的整数", "expected a whole number, 0 or more"
    out.problem(((s != "") & ~ok) | small, zh, en)
    out.problem(too_big, "数值过大", "number too large")
    return out


def _full(mask: pd.Series, like: pd.Series) -> pd.Series:
    """A mask over some rows, widened to all of `like`'s rows."""
    return mask.reindex(like.index, fill_value=False).astype(bool)


# ---- codes -----------------------------------------------------------------------------------
def _lookup(s: pd.Series, table: dict[str, str]) -> pd.Series:
    key = s.str.lower().str.replace(r"[\s\-]+", "_", regex=True)
    return key.map(table)


_BOOLS = {
    **dict.fromkeys(("是", "y", "yes", "true", "t", "1", "已添加", "已加", "已退订", "√", "✓",
                     "对", "有"), True),
    **dict.fromkeys(("否", "n", "no", "false", "f", "0", "未添加", "未加", "未退订", "×", "✗",
                     "错", "无"), False),
}


def boolean(s: pd.Series) -> Parsed:
    mapped = _lookup(s, _BOOLS)
    bad = (s != "") & mapped.isna()
    out = Parsed(mapped.isin([True]) & ~bad)
    out.problem(bad, "应为 是/否(也可用 Y/N、true/false、1/0、已添加/未添加)",
                "expected yes/no (是/否, Y/N, true/false, 1/0)")
    return out


# Stored as 男 / 女, the values the demo data uses too.
_GENDERS = {**dict.fromkeys(("男", "m", "male", "先生", "男性"), "男"),
            **dict.fromkeys(("女", "f", "female", "女士", "女性"), "女")}


def gender(s: pd.Series) -> Parsed:
    """男 / 女; anything else (保密, 未知, …) stays empty, as agreed for this column."""
    return Parsed(_lookup(s, _GENDERS).astype("str"))


_ROLES = {
    **{r: r for r in ("staff", "store_manager", "supervisor", "admin", "trainee")},
    **dict.fromkeys(("导购", "店员", "营业员", "销售顾问"), "staff"),
    **dict.fromkeys(("店长", "manager"), "store_manager"),
    **dict.fromkeys(("督导", "区域经理"), "supervisor"),
    **dict.fromkeys(("管理员", "administrator"), "admin"),
    **dict.fromkeys(("实习生", "新人", "培训生", "intern"), "trainee"),
}
_ROLES_ZH = ("导购/店员、店长、督导/区域经理、管理员、实习生/新人/培训生"
             "(或 staff、store_manager、supervisor、admin、trainee)")

_CHANNELS = {
    **{c: c for c in ("store", "miniapp", "wecom", "live")},
    **dict.fromkeys(("门店", "线下", "线下门店", "offline"), "store"),
    **dict.fromkeys(("小程序", "商城", "微信小程序", "微商城", "mini_program"), "miniapp"),
    **dict.fromkeys(("企微", "企业微信", "私聊", "企微私聊"), "wecom"),
    **dict.fromkeys(("直播", "直播间"), "live"),
}
_CHANNELS_ZH = "门店/线下、小程序/商城、企微/企业微信/私聊、直播(或 store、miniapp、wecom、live)"

# Stored in Chinese, as the demo data and the member tools use them. 其他 is what a tag
# without a dimension is stored as, accepted so an exported tag table imports back as it is.
_DIMENSIONS = {
    **dict.fromkeys(("体貌", "外貌", "体型", "physical", "appearance", "body"), "体貌"),
    **dict.fromkeys(("个性", "性格", "personality", "character"), "个性"),
    **dict.fromkeys(("偏好", "喜好", "preference", "preferences", "style"), "偏好"),
    **dict.fromkeys(("消费", "消费习惯", "消费特征", "consumption", "spending", "shopping"),
                    "消费"),
    **dict.fromkeys(("其他", "其它", "other"), "其他"),
}
_DIMENSIONS_ZH = "体貌、个性、偏好、消费(或 physical、personality、preference、consumption)"


def choice(s: pd.Series, what: str) -> Parsed:
    table, allowed_zh, allowed_en, name_zh = {
        "role": (_ROLES, _ROLES_ZH, "staff, store_manager, supervisor, admin, trainee", "岗位"),
        "channel": (_CHANNELS, _CHANNELS_ZH, "store, miniapp, wecom, live", "渠道"),
        "dimension": (_DIMENSIONS, _DIMENSIONS_ZH,
                      "physical, personality, preference, consumption", "标签维度"),
    }[what]
    mapped = _lookup(s, table)
    out = Parsed(mapped.astype("str"))
    out.problem((s != "") & mapped.isna(), f"{name_zh}不认识,可用:{allowed_zh}",
                f"unknown {what}; allowed: {allowed_en}")
    return out


def phone(s: pd.Series) -> Parsed:
    """Digits only: spaces, dashes, brackets and a +86 / 0086 prefix are removed."""
    t = s.str.replace(r"[\s\-()（）]", "", regex=True).str.replace(
        r"^(?:\+86|0086|86(?=1\d{10}$))", "", regex=True)
    ok = t.str.fullmatch(r"\d{6,20}")
    out = Parsed(t.where(ok & (s != "")))
    out.problem((s != "") & ~ok, "手机号应为 6–20 位数字", "phone must be 6-20 digits")
    return out


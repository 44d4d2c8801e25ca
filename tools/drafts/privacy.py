"""Members' personal data in a post: mobile numbers, ID numbers, full names. A post goes
to a group or to many people, so none of them may be in it."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from copilot.data.masking import mask_name, mask_phones_in
from tools.drafts.problem import Problem

_MASKED_PHONE = re.compile(r"1[3-9]\d\*{4}\d{4}")
_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def personal(text: str, folded: str, names: Iterable[str]) -> list[Problem]:
    problems = []
    normal = unicodedata.normalize("NFKC", text)
    masked = mask_phones_in(text)
    if masked != normal:
        new = Counter(_MASKED_PHONE.findall(masked)) - Counter(_MASKED_PHONE.findall(normal))
        shown = "、".join(sorted(new)) or "手机号"
        problems.append(Problem(
            code="phone_number", level="error",
            message=f"文案里有完整的手机号({shown}),不能发给顾客或发到群里。",
            suggestion="删掉手机号;需要公布时只写尾号,如“尾号 1234”,"
                       "联系方式写门店电话或“私聊我”。"))
    ids = [m.group(1) for m in _ID_CARD.finditer(folded) if _looks_like_id(m.group(1))]
    if ids:
        problems.append(Problem(
            code="id_number", level="error",
            message="文案里有疑似身份证号("
                    + "、".join(i[:3] + "*" * (len(i) - 7) + i[-4:] for i in ids) + ")。",
            suggestion="删掉身份证号;营销文案里不出现任何证件号码。"))
    found = [n for n in dict.fromkeys(names) if n and len(n) >= 2 and n in text]
    if found:
        problems.append(Problem(
            code="member_name", level="error",
            message=f"文案里有会员的全名({'、'.join(mask_name(n) or '' for n in found)})。",
            suggestion="群发文案里不写会员全名;公布中奖等只写“王*”加尾号,一对一消息再称呼姓名。"))
    return problems


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _looks_like_id(s: str) -> bool:
    """A mainland ID number: a real birth date in it, and for 18 digits the check digit."""
    if len(s) == 15:
        birth = "19" + s[6:12]
    else:
        birth = s[6:14]
        total = sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS, strict=True))
        if "10X98765432"[total % 11] != s[17].upper():
            return False
    year, month, day = int(birth[:4]), int(birth[4:6]), int(birth[6:8])
    return 1900 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31

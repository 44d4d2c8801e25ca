"""Argument errors in words a store employee understands, Chinese first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

_ZH = {
    "missing": "缺少必填参数",
    "extra_forbidden": "不认识这个参数",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 是/否(true/false)",
    "string_type": "应为文字",
    "list_type": "应为列表",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "greater_than": "数值太小",
    "less_than": "数值太大",
    "too_long": "内容太多",
    "too_short": "内容太少",
    "string_too_long": "文字太长",
    "value_error": "取值无效",
}


def explain_validation(exc: ValidationError, lang: str = "zh",
                       allowed: list[str] | None = None) -> str:
    """One line per problem: which argument, what is wrong, what was given."""
    return explain_errors(exc.errors(include_url=False), lang, allowed)


def explain_errors(errors: Sequence[Any], lang: str = "zh",
                   allowed: list[str] | None = None) -> str:
    """As `explain_validation`, from pydantic's list of errors (FastAPI hands over these)."""
    lines = []
    for err in errors:
        where = ".".join(str(p) for p in err["loc"])
        if lang == "en":
            lines.append(f"{where}: {err['msg']}")
            continue
        reason = _ZH.get(err["type"], "取值无效")
        detail = err.get("ctx", {})
        hint = ""
        if "expected" in detail:
            hint = f"(可选:{detail['expected']})"
        elif "ge" in detail or "le" in detail:
            hint = f"(范围 {detail.get('ge', '')}~{detail.get('le', '')})"
        elif err["type"] == "value_error":
            hint = f":{detail.get('error', err['msg'])!s}"
        if not where:  # a rule over several arguments: its own message says it all
            lines.append(str(detail.get("error", err["msg"])))
            continue
        given = f",收到 {err['input']!r}" if err["type"] != "missing" else ""
        lines.append(f"参数 {where} {reason}{hint}{given}")
    if allowed and any(e["type"] == "extra_forbidden" for e in errors):
        lines.append(("可用参数:" if lang != "en" else "known: ") + "、".join(allowed))
    head = "参数有误:" if lang != "en" else "Invalid arguments: "
    return head + ";".join(lines) + "。" if lang != "en" else head + "; ".join(lines)

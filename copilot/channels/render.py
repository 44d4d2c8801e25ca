"""A turn's result as the channels show it: text, metric tables, charts, sources.

Each platform draws these parts its own way (Block Kit, WeCom Markdown, HTML, a terminal
table); what the parts are is decided once, here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from copilot.agent.turn import TurnResult
from tools.base import Citation


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class View:
    text: str  # the answer; "- 指标:值" lines dropped when the tables show them
    tables: list[Table]
    charts: list[Path]  # PNG files the tools drew for this turn
    sources: list[Citation]  # citations the answer does not already name


def view(result: TurnResult) -> View:
    tables = [metric_table(c.result) for c in result.tool_calls
              if c.ok and c.name == "member_metrics" and c.result]
    lines = result.answer.splitlines()
    if tables and len(tables) == len(result.tool_calls):
        lines = [ln for ln in lines if not ln.startswith("- ")]
    sources = [] if "出处" in result.answer else list(result.citations)
    return View("\n".join(lines).strip(), tables, charts(result), sources)


def metric_table(result: dict) -> Table:
    rows = result.get("rows", [])
    kinds = [c["label"] for c in rows[0]["comparisons"]] if rows else []
    return Table(f"{result['scope']} · {result['period']}", ["指标", "数值", *kinds],
                 [[r["name"], r["display"],
                   *[f"{c['display']} {c['delta']}".strip() for c in r["comparisons"]]]
                  for r in rows])


def charts(result: TurnResult) -> list[Path]:
    found = []
    for call in result.tool_calls:
        path = (call.result or {}).get("chart_path") if call.ok else None
        if path and Path(path).is_file() and Path(path) not in found:
            found.append(Path(path))
    return found


def without_paths(text: str, charts: list[Path], note: str = "见下图") -> str:
    """The answer names the chart's file on the server; people get the picture instead."""
    for chart in charts:
        text = text.replace(str(chart), note)
    return text


def markdown(part: View) -> str:
    """WeCom-style Markdown. Masked digits (138****1234) would turn into bold, so the mask
    is drawn with full-width asterisks, which Markdown leaves alone."""
    out = [_plain(part.text)]
    for t in part.tables:
        out.append(f"**{_plain(t.title)}**")
        out.extend("> " + " | ".join(_plain(c) for c in [r[0], *r[1:]]) for r in t.rows)
    if part.sources:
        out.append("出处:" + ";".join(f"《{s.title}》{s.section}" for s in part.sources))
    return "\n".join(x for x in out if x)


def _plain(text: str) -> str:
    return re.sub(r"\*", "\uff0a", text).replace("`", "'")


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8"))


def split(text: str, limit: int, size: Callable[[str], int] = utf8_size) -> list[str]:
    """Pieces of at most `limit` (UTF-8 bytes by default; characters with size=len), cut at
    line ends where possible: platforms cap a message's bytes (WeCom) or characters (Slack)."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while size(line) > limit:  # one line longer than a whole piece
            if current:
                pieces.append(current)
                current = ""
            head = _fit(line, limit, size)
            pieces.append(head)
            line = line[len(head):]
        if size(current + line) > limit:
            pieces.append(current)
            current = ""
        current += line
    if current.strip():
        pieces.append(current)
    return [p.rstrip("\n") for p in pieces if p.strip()]


def _fit(line: str, limit: int, size: Callable[[str], int]) -> str:
    """The longest start of `line` within `limit` (at least one character)."""
    lo, hi = 1, len(line)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if size(line[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return line[:lo]

"""The offline model's answers: composed only from tool results and fixed replies.

Figures are never written here: an answer is the tool's own text (or its error), the
passages a playbook search returned, and the citations the tools reported.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from langchain_core.messages import ToolMessage

PASSAGES_SHOWN = 3
PASSAGE_CHARS = 360


@cache
def replies() -> dict[str, dict[str, str]]:
    raw = (resources.files("copilot.agent.offline") / "replies.toml").read_text("utf-8")
    return tomllib.loads(raw)


def reply(key: str, lang: str, **slots: str) -> str:
    table = replies()["en" if lang == "en" else "zh"]
    return table[key].format(**slots) if slots else table[key]


def from_results(results: list[ToolMessage], lang: str) -> str:
    parts: list[str] = []
    cites: dict[tuple[str, str], str] = {}
    for msg in results:
        art = msg.artifact if isinstance(msg.artifact, dict) else None
        if art is None:  # the user turned down a confirmation: nothing ran
            parts.append(reply("cancelled", lang))
            continue
        if not art["ok"]:
            parts.append(art["error"] or "")
            continue
        if lang == "en" and (lead := _english_lead(art)):
            parts.append(lead)
        parts.append(_passages(art, lang) if art["name"] == "search_playbooks" else msg.text)
        for c in art.get("citations", []):
            cites.setdefault((c["playbook"], c["section"]), f"{c['title']} · {c['section']}")
    if cites:
        parts.append(f"{reply('sources', lang)}:\n" + "\n".join(f"- {c}" for c in cites.values()))
    return "\n\n".join(p for p in parts if p)


def _passages(art: dict[str, Any], lang: str) -> str:
    passages = (art.get("result") or {}).get("passages", [])[:PASSAGES_SHOWN]
    if not passages:
        return "手册里没有找到相关内容。" if lang != "en" else "Nothing in the playbooks matches."
    lines = [] if lang == "en" else [reply("playbook_lead", lang)]
    for p in passages:
        body = p["text"].strip()
        if len(body) > PASSAGE_CHARS:
            body = body[:PASSAGE_CHARS].rstrip() + "……"
        lines.append(f"【{p['title']} · {p['section']}】\n{body}")
    return "\n\n".join(lines)


def _english_lead(art: dict[str, Any]) -> str | None:
    """A line in English naming what the (Chinese) result below shows; no figures."""
    result = art.get("result") or {}
    if art["name"] == "member_metrics":
        from copilot.analytics.definitions import all_definitions
        from copilot.config import MetricWindows

        names = {d.key: d.name_en for d in all_definitions(MetricWindows())}
        shown = ", ".join(names.get(r["key"], r["key"]) for r in result.get("rows", []))
        scope, start, end = result.get("scope", ""), result.get("start"), result.get("end")
        return f"{shown} for {scope}, {start} to {end}:"
    if art["name"] == "search_playbooks":
        asked = str(result.get("query", "")).split("  ")[0]
        return f"From the playbooks (in Chinese), on “{asked}”:"
    titles = {"diagnose_store": "Store diagnosis", "region_overview": "Store ranking",
              "build_segment": "Segment preview", "followup_list": "Members to contact",
              "query_members": "Member lookup", "list_segments": "Your saved segments"}
    title = titles.get(art["name"])
    return f"{title} (details in Chinese below):" if title else None

"""Campaign requests in words → the campaign tools' arguments.

"把这条发给‘金卡召回’分组 周六上午10点 留10%对照组" right after a draft schedules that
draft's text; "通过 3f9a0c12de" approves; "取消活动 …", "我的活动", "复盘 …". After a
preview the offline model asks for the requester's confirmation itself (`after`), the
step an LLM is told to take in the system prompt. Words live in lexicon.toml ([campaigns]).
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import ToolMessage

from copilot.agent.offline.extract import Signals
from copilot.agent.offline.vocab import patterns

_ID = re.compile(r"(?<![0-9a-z])([0-9a-f]{10})(?![0-9a-z])")
CAMPAIGN_TOOLS = ("schedule_campaign", "approve_campaign", "cancel_campaign", "campaign_status",
                  "campaign_review")


def _first(key: str, text: str) -> re.Match[str] | None:
    for pattern in patterns("campaigns")[key]:
        if m := pattern.search(text):
            return m
    return None


def schedule_args(sig: Signals, base: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The arguments, and what is still missing ("segment" or "text")."""
    result = base.get("_result") or {}
    args = {k: v for k, v in base.items() if not k.startswith("_")}
    if not args.get("text") and (drafts := result.get("drafts")):
        args["text"] = drafts[0]["text"]  # "把这条发给…" right after a draft
        if drafts[0].get("channel") == "sms":
            args.setdefault("channels", ["sms"])
    if (saved := result.get("saved")) and not args.get("segment"):
        args["segment"] = saved["name"]  # right after saving a segment
    rest = sig.raw  # what the message says besides the text to send
    if m := _first("text", sig.raw):
        args["text"] = m.group(1).strip()
        rest = sig.raw[:m.start()] + " " + sig.raw[m.end():]
    if m := _first("segment", rest):
        args["segment"] = m.group(1).strip()
    if channels := [c for c in ("sms", "wecom_group", "slack_dm")
                    if _first(f"channel_{c}", rest.lower())]:
        args["channels"] = channels
    if m := _first("send_at", rest):
        args["send_at"] = re.sub(r"\s+", "", m.group(0))
    if m := _first("holdout", rest):
        args["holdout_share"] = min(0.5, int(m.group(1)) / 100)
    missing = next((k for k in ("segment", "text") if not args.get(k)), None)
    return args, missing


def campaign_ref(sig: Signals, base: dict[str, Any]) -> str | None:
    """The campaign a message means: an id in it, a quoted name, or the last one shown."""
    if m := _ID.search(sig.text):
        return m.group(1)
    if m := _first("name", sig.raw):
        return m.group(1).strip()
    result = base.get("_result") or {}
    return (result.get("campaign_id") or (result.get("campaign") or {}).get("campaign_id")
            or base.get("campaign"))


def decide_args(sig: Signals, base: dict[str, Any]) -> dict[str, Any] | None:
    ref = campaign_ref(sig, base)
    if ref is None:
        return None
    args: dict[str, Any] = {"campaign": ref}
    if _first("reject", sig.text):
        args["approve"] = False
        note = _ID.sub(" ", sig.raw)
        note = re.sub(r"驳回|不通过|不同意|活动|[,,。.\s]+", " ", note).strip()
        if note:
            args["note"] = note[:200]
    return args


def status_args(sig: Signals, base: dict[str, Any]) -> dict[str, Any]:
    if _first("awaiting", sig.text):
        return {"awaiting_me": True}
    if (m := _ID.search(sig.text)) or (m := _first("name", sig.raw)):
        return {"campaign": m.group(1)}
    return {}


def after(results: list[ToolMessage]) -> dict[str, Any] | None:
    """The call that follows a campaign preview: the requester's confirmation."""
    for msg in results:
        art = msg.artifact if isinstance(msg.artifact, dict) else None
        if art and art["name"] == "schedule_campaign" and art["ok"]:
            return {"campaign": art["result"]["campaign_id"]}
    return None

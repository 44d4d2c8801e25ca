"""A drafting request in words → draft_group_post's arguments.

"写一条会员日群消息 满500减80 周六" names a scene, an offer and a day; "改成短信" or "换个写法"
after a draft changes the last one; "帮我看看这段文案:…" hands over the person's own text
to be checked. The words live in lexicon.toml ([drafts]).
"""

from __future__ import annotations

import re
from typing import Any

from copilot.agent.offline.extract import Signals
from copilot.agent.offline.vocab import patterns

SCENES = ("points_expiring", "birthday", "member_day", "new_arrivals", "season_change",
          "new_store", "anniversary", "reactivation", "churn_recall", "live_invite")
CHANNELS = ("sms", "wecom_moments", "group_notice")


def _first(key: str, text: str) -> re.Match[str] | None:
    for pattern in patterns("drafts")[key]:
        if m := pattern.search(text):
            return m
    return None


def draft_args(sig: Signals, base: dict[str, Any]) -> dict[str, Any]:
    """The arguments: the last draft's (a follow-up), changed by what this message says."""
    raw = sig.raw.strip()
    args = {k: v for k, v in base.items() if not k.startswith("_")}
    if m := _first("pasted", raw):  # the person's own text, to be checked
        return {"text": m.group(1).strip(), "channel": _channel(raw) or "wecom_group"}
    args.pop("text", None)
    if scene := _scene(sig.text):
        args["scene"] = scene
    if m := _first("holiday", sig.text):
        args.setdefault("scene", "holiday")
        args["occasion"] = m.group(0)
    args.setdefault("scene", "free")
    if channel := _channel(sig.text):
        args["channel"] = channel
    if m := _first("offer", raw):
        args["offer"] = m.group(0)
    if m := _first("day", raw):
        args["date"] = m.group(0)
    if sig.stores:
        args["store"] = sig.stores[0]
    if _first("again", sig.text):  # the variation after the one just shown
        shown = ((base.get("_result") or {}).get("drafts") or [{}])[0].get("variant")
        args["variant"] = int(shown or args.get("variant") or 1) % 3 + 1
    return args


def _scene(text: str) -> str | None:
    return next((s for s in SCENES if _first(f"scene_{s}", text)), None)


def _channel(text: str) -> str | None:
    return next((c for c in CHANNELS if _first(f"channel_{c}", text)), None)

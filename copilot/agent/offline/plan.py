"""From what a message says (and the conversation so far) to tool calls, a question or a
reply. `Prior` is the last request of the thread, kept on the model's own messages, so
"那区域平均呢?" or "换成金卡的" reuse it and "朝阳店" answers "哪个门店?".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from copilot.agent.offline.extract import Signals
from copilot.agent.offline.intents import MEMBER_TOOLS, detect, is_followup
from copilot.agent.toolkit import TurnInfo

_SCOPE_KEYS = ("store", "region", "chain")
_PERIOD_TOOLS = {"member_metrics", "diagnose_store", "region_overview"}
_SEGMENT_REF = re.compile(
    r"(?:删除|删掉|删了|移除|去掉|刷新|更新|重算|重新算|delete|remove|refresh)\s*(?:一下|下)?\s*(?:我的)?\s*"
    r"(?:分组|人群包|segment)?\s*[“\"「『']?(.+?)[”\"」』']?\s*(?:这个|那个)?\s*(?:分组|人群包)?\s*(?:吧|吗)?[。.!!]?$")


@dataclass
class Prior:
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    missing: str | None = None  # what the last question asked for


@dataclass
class Plan:
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    reply: str | None = None  # a key of replies.toml
    error: str | None = None  # a message to pass on as it is
    pending: Prior | None = None  # set with an asking reply

    def memo(self) -> dict[str, Any]:
        """What the next turn needs to continue from this one."""
        if self.pending is not None:
            p = self.pending
            return {"tool": p.tool, "args": p.args, "missing": p.missing}
        if self.calls:
            return {"tool": self.calls[0][0], "args": self.calls[0][1]}
        return {}


def plan(sig: Signals, info: TurnInfo, prior: Prior | None) -> Plan:
    kind = detect(sig)
    base: dict[str, Any] = {}
    if prior and prior.missing and kind in (None, prior.tool):
        kind, base = prior.tool, dict(prior.args)
        if prior.missing == "segment" and kind is not None:
            base["segment"] = sig.text.strip(" “”\"'「」")
    elif prior and prior.tool and kind is None and (is_followup(sig) or _has_slots(sig)):
        kind, base = prior.tool, dict(prior.args)
    elif prior and prior.tool == kind and (is_followup(sig) or _only_save(sig)):
        base = dict(prior.args)
    elif prior and prior.tool in _PERIOD_TOOLS and kind in _PERIOD_TOOLS and is_followup(sig):
        base = {k: v for k, v in prior.args.items() if k in (*_SCOPE_KEYS, "period")}
    if kind is None:
        return Plan(reply="not_understood")
    if kind not in MEMBER_TOOLS and kind != "search_playbooks":
        return Plan(reply=kind)
    if kind in MEMBER_TOOLS and info.role == "trainee":
        return Plan(reply="trainee_no_data")
    if kind in _PERIOD_TOOLS and sig.period_error:
        return Plan(error=sig.period_error)
    return BUILDERS[kind](sig, info, base)


def _has_slots(sig: Signals) -> bool:
    return bool(sig.scope_named or sig.period or sig.metrics or sig.compare or sig.segment)


def _only_save(sig: Signals) -> bool:
    return set(sig.segment) <= {"save_as"} and "save_as" in sig.segment


def _own_scope(info: TurnInfo) -> dict[str, Any]:
    if info.role == "admin":
        return {"chain": True}
    if info.role == "supervisor" and info.region:
        return {"region": info.region}
    return {"store": info.store_id} if info.store_id else {}


def _named_scope(sig: Signals, info: TurnInfo) -> dict[str, Any]:
    if sig.stores:
        return {"store": sig.stores[0]}
    if sig.store_key:
        return {"store": sig.store_key}
    if sig.regions:
        return {"region": sig.regions[0]}
    if sig.chain:
        return {"chain": True}
    if sig.own_store and info.store_id:
        return {"store": info.store_id}
    return {}


def _scope(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> dict[str, Any]:
    return (_named_scope(sig, info) or {k: base[k] for k in _SCOPE_KEYS if k in base}
            or _own_scope(info))


def _period(sig: Signals, base: dict[str, Any]) -> str:
    return sig.period or base.get("period") or "上个月"


def _metrics(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    compare = list(dict.fromkeys([*(base.get("compare", []) if base else []), *sig.compare]))
    args = {"period": _period(sig, base), "metrics": sig.metrics or base.get("metrics", []),
            "compare": compare}
    stores = sig.stores if len(sig.stores) > 1 else []
    if stores:  # "朝阳和西单的复购率": one call per store, side by side
        return Plan(calls=[("member_metrics", {"store": s, **args}) for s in stores[:4]])
    return Plan(calls=[("member_metrics", {**_scope(sig, info, base), **args})])


def _store_or_ask(tool: str, sig: Signals, info: TurnInfo, base: dict[str, Any],
                  extra: dict[str, Any]) -> Plan:
    named = _named_scope(sig, info)
    store = named.get("store") or base.get("store")
    if store is None and info.role in ("staff", "store_manager"):
        store = info.store_id
    if store is None:
        return Plan(reply="ask_store", pending=Prior(tool, {**base, **extra}, "store"))
    return Plan(calls=[(tool, {"store": store, **extra})])


def _diagnose(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    return _store_or_ask("diagnose_store", sig, info, base, {"period": _period(sig, base)})


def _ranking(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    region = (sig.regions or [base.get("region")])[0] or info.region
    args: dict[str, Any] = {"period": _period(sig, base)}
    if metric := (sig.metrics or [base.get("metric")])[0]:
        args["metric"] = metric
    if region is None:
        return Plan(reply="ask_region", pending=Prior("region_overview", args, "region"))
    return Plan(calls=[("region_overview", {"region": region, **args})])


def _followup(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    args: dict[str, Any] = {}
    if sig.staff and sig.staff != info.staff_id:
        args["staff"] = sig.staff
    elif sig.stores or (sig.own_store and info.role == "store_manager"):
        args["store"] = sig.stores[0] if sig.stores else info.store_id
    if re.search(r"明天|tomorrow", sig.text):
        args["day"] = (date.fromisoformat(info.today) + timedelta(days=1)).isoformat()
    return Plan(calls=[("followup_list", args)])


def _members(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    if sig.member_id:
        return Plan(calls=[("query_members", {"member_id": sig.member_id})])
    if sig.phone_tail:
        return Plan(calls=[("query_members", {"phone_tail": sig.phone_tail})])
    if sig.member_name:
        return Plan(calls=[("query_members", {"name": sig.member_name})])
    args: dict[str, Any] = {"mine": bool(re.search(r"我的|我名下|my ", sig.text))}
    if tiers := sig.segment.get("tiers") or base.get("tier"):
        args["tier"] = tiers
    if not args["mine"] and "tier" not in args:
        return Plan(reply="ask_member", pending=Prior("query_members", {}, "member"))
    return Plan(calls=[("query_members", args)])


def _segment(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    args = {**base, **sig.segment}
    if sig.stores:
        args["stores"] = sig.stores
    elif sig.regions:
        args["regions"] = sig.regions
    if not set(args) - {"save_as"}:
        return Plan(reply="ask_segment_conditions",
                    pending=Prior("build_segment", args, "conditions"))
    return Plan(calls=[("build_segment", args)])


def _segment_ref(tool: str) -> Any:
    def build(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
        m = _SEGMENT_REF.search(sig.text)
        name = (m.group(1).strip() if m else "") or base.get("segment") or base.get("save_as")
        if not name or name in ("分组", "人群包"):
            return Plan(reply="ask_segment", pending=Prior(tool, {}, "segment"))
        return Plan(calls=[(tool, {"segment": name})])
    return build


def _list(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    everyone = bool(re.search(r"所有人|大家|全部人|everyone", sig.text))
    return Plan(calls=[("list_segments", {"everyone": everyone} if everyone else {})])


def _playbooks(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    query = re.sub(r"@\S+\s?", " ", sig.text).strip()
    return Plan(calls=[("search_playbooks", {"query": query or "运营手册"})])


BUILDERS = {
    "member_metrics": _metrics, "diagnose_store": _diagnose, "region_overview": _ranking,
    "followup_list": _followup, "query_members": _members, "build_segment": _segment,
    "refresh_segment": _segment_ref("refresh_segment"),
    "delete_segment": _segment_ref("delete_segment"), "list_segments": _list,
    "search_playbooks": _playbooks,
}

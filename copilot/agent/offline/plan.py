"""From what a message says (and the conversation so far) to tool calls, a question or a
reply. `Prior` is the last request of the thread, kept on the model's own messages, so
"那区域平均呢?" or "换成金卡的" reuse it and "朝阳店" answers "哪个门店?".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from copilot.agent.offline import campaigns
from copilot.agent.offline.drafting import draft_args
from copilot.agent.offline.extract import Signals, matches
from copilot.agent.offline.intents import MEMBER_TOOLS, detect, is_followup
from copilot.agent.offline.vocab import lexicon
from copilot.agent.toolkit import TurnInfo

_SCOPE_KEYS = ("store", "region", "chain")
# The requests a bare metric or condition can refine ("只看客单价", "换成金卡的").
_FITS = {"member_metrics": ("member_metrics", "region_overview"),
         "build_segment": ("build_segment", "query_members", "followup_list")}
_QUOTES = " “”\"'「」『』,,。.!!??"
# "诊断一下 顺便给点提升复购的招": a second request for the playbooks
_ALSO_HOW = re.compile(r"(?:顺便|另外|再给|还有|并且|also)\s*(.{0,20}?(?:招|建议|方法|办法|怎么|"
                       r"如何|tips|话术)"
                       r".{0,10})$")
_PERIOD_TOOLS = {"member_metrics", "diagnose_store", "region_overview"}
# Everything in "把“银卡召回”这个分组删掉吧" that is not the segment's name.
_SEGMENT_WORDS = re.compile(
    r"^(?:算了|嗯|那|好)?\s*(?:请|帮我|麻烦|你)?\s*(?:把|将)?|(?:删除|删掉|删了|移除|去掉|刷新|更新|重算|重新算)(?:一下|下)?|"
    r"(?:这个|那个|我的|我存的)?(?:分组|人群包)|(?:吧|吗|了|掉|它)(?=\s*[。.!!]?$)|"
    r"(?:不要了|不用了|没用了|用不上了|用不上|想了想|一下人数|现在多少人|多少人|人数|一遍)|"
    r"(?:按今天的数据|再算一遍|再算|现在还有几个人|还有几个人|几个人)|"
    r"^(?:行|好的?|嗯|ok)\s|"
    r"(?:这个|那个|这|那)组(?:现在)?|"
    r"\b(?:delete|remove|refresh|the|my|segment)\b", re.I)


@dataclass
class Prior:
    tool: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    missing: str | None = None  # what the last question asked for
    result: dict[str, Any] | None = None  # what the tool returned (for "那家", "她")
    pick: str | None = None  # "worst" / "best" when the last request asked for one


@dataclass
class Plan:
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    reply: str | None = None  # a key of replies.toml
    error: str | None = None  # a message to pass on as it is
    pending: Prior | None = None  # set with an asking reply
    pick: str | None = None  # the message asked for the best or worst store

    def memo(self) -> dict[str, Any]:
        """What the next turn needs to continue from this one."""
        if self.pending is not None:
            p = self.pending
            return {"tool": p.tool, "args": p.args, "missing": p.missing}
        if self.calls:  # the request to continue from: a segment if one was built
            name, args = next((c for c in self.calls if c[0] == "build_segment"), self.calls[0])
            return {"tool": name, "args": args, "pick": self.pick}
        return {}


def plan(sig: Signals, info: TurnInfo, prior: Prior | None) -> Plan:
    kind, explicit = detect(sig)
    if (sig.refers or sig.rank) and not sig.scope_named and prior:  # "这家店的金卡会员"
        store = prior.args.get("store") or (prior.args.get("stores") or [None])[0] or _picked(
            sig, {"_result": prior.result, "_pick": prior.pick})
        if store:
            sig.stores = [store]
    kind, base = _continue(sig, kind, explicit, prior)
    if kind is None and is_followup(sig):
        return Plan(reply="no_context")  # "那区域平均呢?" with nothing before it
    if kind is None:
        if len(re.findall(r"[\u4e00-\u9fa5]", sig.text)) >= 4 or len(sig.text.split()) >= 3:
            kind = "search_playbooks"  # an ops question in words we have no rule for
        else:
            return Plan(reply="not_understood")
    if kind == "cancelled_question":
        return Plan(reply="thanks")
    if kind not in MEMBER_TOOLS and kind not in ("search_playbooks", "draft_group_post",
                                                 *campaigns.CAMPAIGN_TOOLS, *PRACTICE):
        return Plan(reply=kind)
    if kind in MEMBER_TOOLS and info.role == "trainee":
        return Plan(reply="trainee_no_data")
    if kind in _PERIOD_TOOLS and sig.period_error:  # kept, so "那看上个月的吧" continues it
        asked = BUILDERS[kind](sig, info, base)
        name, args = asked.calls[0] if asked.calls else (kind, {})
        return Plan(error=sig.period_error,
                    pending=Prior(name, {k: v for k, v in args.items() if k != "period"}))
    out = BUILDERS[kind](sig, info, base)
    out.pick = sig.pick
    if out.calls and kind in _PERIOD_TOOLS and (m := _ALSO_HOW.search(sig.raw)):
        out.calls.append(("search_playbooks", {"query": m.group(1).strip()}))
    if out.calls and kind in ("region_overview", "diagnose_store") and _cue("chart", sig):
        out.calls = [(n, {**a, "chart": True}) for n, a in out.calls]
    if kind == "build_segment" and out.calls and sig.metrics and _cue("also", sig):
        # "流失率多少 顺手把…圈一下"
        out.calls.insert(0, _metrics(sig, info, {}).calls[0])
    return out


def _continue(sig: Signals, kind: str | None, explicit: bool, prior: Prior | None
              ) -> tuple[str | None, dict[str, Any]]:
    """The request this message makes, given the thread: a fresh one, an answer to our
    question, or a change to the last request ("换成金卡的", "那区域平均呢?")."""
    if prior is None or prior.tool is None:
        return kind, {}
    if kind == "query_members" and sig.nth is not None and prior.result:  # "第一个那位"
        return kind, {"_result": prior.result}
    if kind in campaigns.CAMPAIGN_TOOLS and explicit and prior.result is not None and (
            kind != "schedule_campaign" or prior.tool in ("draft_group_post", "build_segment")):
        return kind, {"_result": prior.result}  # "把这条发给…" after a draft; "取消它"
    if prior.tool == "search_playbooks" and kind in MEMBER_TOOLS:
        return kind, {}  # after a how-to, a store, period or metric asks for data
    follow = is_followup(sig)
    base = dict(prior.args)
    if prior.result is not None:
        base["_result"] = prior.result
    base["_pick"] = prior.pick
    if prior.tool == "region_overview" and (sig.rank or sig.refers) and (
            kind in (None, "member_metrics")
            or (kind == "region_overview" and (sig.compare or sig.metrics))):
        # "第二名那家 跟上期比", "倒数第一那家 复购率跟上期比": that store's figure
        metric = prior.args.get("metric")
        return "member_metrics", {"period": prior.args.get("period"),
                                  "metrics": [metric] if metric else []}
    if prior.missing and _cue("cancel_question", sig):
        return "cancelled_question", {}  # "哪个门店?" → "算了"
    if prior.missing and (kind in (None, prior.tool) or not explicit
                          or (prior.missing == "segment" and kind == "build_segment")):
        if prior.missing in ("segment", "campaign"):
            base[prior.missing] = sig.raw.strip(_QUOTES)
        elif prior.missing == "text":
            base["text"] = sig.raw.strip()
        return prior.tool, base
    if kind is None and (follow or _has_slots(sig) or _about_member(sig, prior)):
        return prior.tool, base
    if kind == prior.tool and (follow or _only_save(sig) or not explicit):
        return kind, base
    if not explicit and follow and prior.tool in _FITS.get(kind or "", ()):
        return prior.tool, base  # "只看客单价" after a ranking, "换成金卡的" after a segment
    if not explicit and follow:  # "那流失率呢" after a diagnosis: that store and period
        return kind, {k: v for k, v in base.items() if k in (*_SCOPE_KEYS, "period")}
    if kind in ("delete_segment", "refresh_segment") and (
            prior.args.get("save_as") or prior.args.get("segment")):  # "把它删掉" right after
        return kind, {"save_as": prior.args.get("save_as") or prior.args.get("segment")}
    if prior.tool in _PERIOD_TOOLS and kind in _PERIOD_TOOLS:
        keep = (*_SCOPE_KEYS, "period", "metrics", "_result", "_pick")
        return kind, {k: v for k, v in base.items() if k in keep}
    return kind, {}


def _about_member(sig: Signals, prior: Prior) -> bool:
    """"她手机号多少": a question about the member just looked up."""
    return prior.tool == "query_members" and _cue("about_member", sig)


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
    kept = base.get("compare", []) if is_followup(sig) or not sig.metrics else []
    compare = list(dict.fromkeys([*kept, *sig.compare]))
    args = {"period": _period(sig, base), "metrics": sig.metrics or base.get("metrics", []),
            "compare": compare}
    stores = sig.stores if len(sig.stores) > 1 else []
    if stores:  # "朝阳和西单的复购率": one call per store, side by side
        return Plan(calls=[("member_metrics", {"store": s, **args}) for s in stores[:4]])
    return Plan(calls=[("member_metrics", {**_scope(sig, info, base), **args})])


def _picked(sig: Signals, base: dict[str, Any]) -> str | None:
    """The store "那家" / "倒数第一那家" / "第二名那家" means in the last ranking shown:
    best and worst in the metric's own direction across every region listed."""
    result = base.get("_result") or {}
    rankings = [m for reg in result.get("regions", []) for m in reg.get("metrics", [])[:1]]
    rows = [r for m in rankings for r in m.get("rows", []) if r.get("rank") is not None]
    pick = sig.pick or (base.get("_pick") if sig.refers or sig.rank else None)
    if not rows or (pick is None and sig.rank is None):
        return None
    if sig.rank or pick in ("best", "worst"):
        if len(rankings) == 1:  # one region: the tool's own ranks (ties share a place)
            rows.sort(key=lambda r: r["rank"])
        else:
            lower = str(rankings[0].get("direction", "")).startswith("lower")
            rows = [r for r in rows if r.get("value") is not None]
            rows.sort(key=lambda r: r["value"], reverse=not lower)  # best first
        if sig.rank:
            return rows[sig.rank - 1]["store_id"] if sig.rank <= len(rows) else None
        return rows[-1 if pick == "worst" else 0]["store_id"]
    rows = [r for r in rows if r.get("value") is not None]
    rows.sort(key=lambda r: r["value"])
    return rows[-1 if pick == "highest" else 0]["store_id"] if rows else None


def _store_or_ask(tool: str, sig: Signals, info: TurnInfo, base: dict[str, Any],
                  extra: dict[str, Any]) -> Plan:
    named = _named_scope(sig, info)
    store = named.get("store") or _picked(sig, base) or base.get("store")
    if store is None and info.role in ("staff", "store_manager"):
        store = info.store_id
    if store is None:
        return Plan(reply="ask_store", pending=Prior(tool, {**_public(base), **extra}, "store"))
    return Plan(calls=[(tool, {"store": store, **extra})])


def _diagnose(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    return _store_or_ask("diagnose_store", sig, info, base, {"period": _period(sig, base)})


def _ranking(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    region = (sig.regions or [base.get("region")])[0]
    if sig.chain:
        region = None  # every region, for those who may see them
    args: dict[str, Any] = {"region": region} if region else {}
    args["period"] = _period(sig, base)
    metric = (sig.metrics or base.get("metrics") or [base.get("metric")])[0]
    if metric:
        args["metric"] = metric
    return Plan(calls=[("region_overview", args)])


def _followup(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    args = {k: v for k, v in _public(base).items() if k in ("staff", "store", "day")}
    if sig.staff and sig.staff != info.staff_id:
        args = {"staff": sig.staff}
    elif sig.stores or (sig.own_store and info.store_id):
        args = {"store": sig.stores[0] if sig.stores else info.store_id}
    if sig.day:  # 明天, 7月3号
        args["day"] = sig.day
    elif _cue("today", sig):
        args.pop("day", None)
    if sig.reasons:
        args["reasons"] = sig.reasons
    if sig.limit:
        args["limit"] = sig.limit
    return Plan(calls=[("followup_list", args)])


def _members(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    if not (sig.member_id or sig.phone_tail or sig.member_name) and any(
            base.get(k) for k in ("member_id", "phone_tail", "name")):
        return Plan(calls=[("query_members", {k: v for k, v in _public(base).items()
                                              if k in ("member_id", "phone_tail", "name")})])
    if (picked := _member_at(sig, base)) is not None:  # "第一个那位 档案看看"
        return Plan(calls=[("query_members", {"member_id": picked})])
    if sig.phone_tail and sig.member_name:  # "姓李 尾号517"
        return Plan(calls=[("query_members", {"phone_tail": sig.phone_tail,
                                              "name": sig.member_name})])
    if sig.member_id:
        return Plan(calls=[("query_members", {"member_id": sig.member_id})])
    if sig.phone_tail:
        return Plan(calls=[("query_members", {"phone_tail": sig.phone_tail})])
    if sig.member_name:
        tiers = sig.segment.get("tiers")
        return Plan(calls=[("query_members", {"name": sig.member_name,
                                              **({"tier": tiers} if tiers else {})})])
    args: dict[str, Any] = {"mine": _cue("mine", sig) or bool(base.get("mine"))}
    if tiers := sig.segment.get("tiers") or base.get("tier"):
        args["tier"] = tiers
    if stages := sig.segment.get("interval_groups") or base.get("stage"):
        args["stage"] = stages
    if not args["mine"] and "tier" not in args and "stage" not in args:
        return Plan(reply="ask_member", pending=Prior("query_members", {}, "member"))
    return Plan(calls=[("query_members", args)])


def _member_at(sig: Signals, base: dict[str, Any]) -> str | None:
    """The member "第一个那位" means in the list the last answer showed."""
    result = base.get("_result") or {}
    listed = next((result[k] for k in ("items", "members", "sample") if result.get(k)), [])
    n = sig.nth
    if not n or not 1 <= n <= len(listed) or "member_id" not in listed[n - 1]:
        return None
    return str(listed[n - 1]["member_id"])


def _segment(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    earlier = {k: v for k, v in _public(base).items() if k != "save_as"}  # said once, used once
    args = {**earlier, **sig.segment}
    if sig.stores or sig.city_stores:
        args["stores"] = sig.stores or sig.city_stores
    elif sig.regions:
        args["regions"] = sig.regions
    if not set(args) - {"save_as"}:
        return Plan(reply="ask_segment_conditions",
                    pending=Prior("build_segment", args, "conditions"))
    return Plan(calls=[("build_segment", args)])


def _segment_ref(tool: str) -> Any:
    def build(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
        name = _SEGMENT_WORDS.sub(" ", sig.raw)
        name = re.sub(r"\s+", " ", name).strip(_QUOTES)
        if name.replace(" ", "") in ("它", "这个", "那个", "this", "it"):
            name = ""
        name = name or base.get("segment") or base.get("save_as") or ""
        if not name:
            return Plan(reply="ask_segment", pending=Prior(tool, {}, "segment"))
        return Plan(calls=[(tool, {"segment": name})])
    return build


def _cue(key: str, sig: Signals) -> bool:
    return matches("cues", key, sig.text)


def _public(base: dict[str, Any]) -> dict[str, Any]:
    """The last request's arguments, without what the planner keeps for itself."""
    return {k: v for k, v in base.items() if not k.startswith("_")}


def _list(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    everyone = _cue("everyone", sig)
    return Plan(calls=[("list_segments", {"everyone": everyone} if everyone else {})])


def _playbooks(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    query = re.sub(r"@\S+\s?", " ", sig.text).strip()
    if sig.lang == "en":  # the playbooks are Chinese: add their words for what was asked
        terms = [zh for en, zh in lexicon()["en_terms"].items() if en in sig.text]
        query = " ".join([query, *terms])
    return Plan(calls=[("search_playbooks", {"query": query or "运营手册"})])


PRACTICE = ("start_practice", "practice_progress")


def _practice(sig: Signals) -> dict[str, Any]:
    """The scenario in the person's words ("练一下电话邀约", "陪我练练顾客嫌贵"); the tool
    matches them to a scenario, and none at all picks one at random."""
    words = re.sub(r"我想|我要|想|陪我|帮我|练一下|练练|练一练|练习|一下|模拟|角色扮演|话术|"
                   r"[\s,,。!!??]", "", sig.raw)
    return {"scenario": words} if len(words) >= 2 else {}


def _schedule(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
    args, missing = campaigns.schedule_args(sig, base)
    if missing:
        return Plan(reply=f"ask_campaign_{missing}",
                    pending=Prior("schedule_campaign", args, missing))
    return Plan(calls=[("schedule_campaign", args)])


def _campaign(tool: str) -> Any:
    def build(sig: Signals, info: TurnInfo, base: dict[str, Any]) -> Plan:
        if tool == "campaign_status":
            return Plan(calls=[(tool, campaigns.status_args(sig, base))])
        args = (campaigns.decide_args(sig, base) if tool == "approve_campaign" else
                {"campaign": ref} if (ref := campaigns.campaign_ref(sig, base)) else None)
        if args is None:
            return Plan(reply="ask_campaign", pending=Prior(tool, {}, "campaign"))
        return Plan(calls=[(tool, args)])
    return build


BUILDERS = {
    "member_metrics": _metrics, "diagnose_store": _diagnose, "region_overview": _ranking,
    "followup_list": _followup, "query_members": _members, "build_segment": _segment,
    "refresh_segment": _segment_ref("refresh_segment"),
    "delete_segment": _segment_ref("delete_segment"), "list_segments": _list,
    "search_playbooks": _playbooks,
    "draft_group_post": lambda sig, info, base: Plan(
        calls=[("draft_group_post", draft_args(sig, base))]),
    "schedule_campaign": _schedule,
    "start_practice": lambda sig, info, base: Plan(calls=[("start_practice", _practice(sig))]),
    "practice_progress": lambda sig, info, base: Plan(calls=[("practice_progress", {})]),
    **{t: _campaign(t) for t in campaigns.CAMPAIGN_TOOLS if t != "schedule_campaign"},
}

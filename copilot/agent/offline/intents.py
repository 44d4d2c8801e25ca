"""Which request a message is, from the lexicon's patterns and what the message names.

Ordered rules, first match wins: refusals before actions, specific requests (delete a
segment, today's follow-ups, a member lookup) before general ones (a metric question),
how-to questions before metric questions ("复购率怎么提升" asks for a method).
"""

from __future__ import annotations

from copilot.agent.offline.extract import Signals, matches

MEMBER_TOOLS = {"member_metrics", "query_members", "build_segment", "list_segments",
                "refresh_segment", "delete_segment", "followup_list", "diagnose_store",
                "region_overview"}
SEGMENT_KEYS = {"tiers", "rfm_classes", "interval_groups", "days_since_min", "days_since_max",
                "purchases_min", "purchases_max", "spend_min", "spend_max", "categories",
                "tags_any", "tags_all", "tags_none", "birthday_month", "birthday_within_days",
                "wecom_added"}


def _is(key: str, sig: Signals) -> bool:
    return matches("intents", key, sig.text)


def detect(sig: Signals) -> tuple[str | None, bool]:
    """The request's kind (a tool name, a reply kind such as "help", or None) and whether
    the message says it outright; a bare metric or condition only implies it, so in a
    follow-up it refines the last request instead ("只看客单价" after a ranking)."""
    how = _is("howto", sig)
    if _is("privacy_abuse", sig) and not (sig.member_id or sig.phone_tail or how):
        return "privacy_abuse", True  # one member looked up is shown masked in a group
    for kind in ("nothing_pending", "greet", "thanks", "help"):
        if _is(kind, sig):
            return kind, True
    if _is("practice_progress", sig):
        return "practice_progress", True
    # "圈出金卡会员 我想练练手" asks for data; "练一下生日关怀" names a scenario, whose
    # words (生日) are also a segment condition, so conditions alone do not count
    wants_data = bool(sig.metrics or _is("metric_words", sig) or _is("segment", sig))
    if _is("start_practice", sig) and not (_is("howto", sig) or wants_data):
        return "start_practice", True
    if not how and _is("cannot_modify", sig) and (
            sig.member_id or sig.phone_tail or _cue("member_reference", sig)):
        return "cannot_modify", True
    for tool in ("delete_segment", "refresh_segment", "list_segments"):
        if _is(tool, sig) and not _strong_howto(sig):  # "怎么删除分组" asks how
            return tool, True
    if _is("recurring_campaign", sig) and not how:
        return "recurring_campaign", True
    for tool in ("approve_campaign", "cancel_campaign", "campaign_review", "campaign_status"):
        if _is(tool, sig) and not _strong_howto(sig):  # "活动怎么复盘" asks how
            return tool, True
    if _cue("diagnose_named", sig):
        return "diagnose_store", True
    if sig.nth is not None and _cue("member_detail", sig):  # "第二个是啥情况": that member
        return "query_members", True
    if _conditions(sig) and _cue("pull_out", sig):
        return "build_segment", True  # "是不是该给…发点啥了 你先把人拎出来": the list first
    if _is("out_of_scope", sig) and not _strong_howto(sig):
        return "out_of_scope", True
    if _is("followup", sig) and not how:
        return "followup_list", True
    if _is("draft_group_post", sig) and not _strong_howto(sig):  # "文案怎么写" asks how
        return "draft_group_post", True
    # "复购率是啥" asks for a definition; "朝阳店复购率是什么水平" asks for a figure
    asks_data = sig.scope_named or sig.own_store or sig.period
    if how and not (sig.member_id or sig.phone_tail) and (_strong_howto(sig) or not asks_data):
        return "search_playbooks", True
    if _is("schedule_campaign", sig):
        return "schedule_campaign", True
    if _is("followup", sig):
        return "followup_list", True
    if sig.member_id or sig.phone_tail or sig.member_name:
        return "query_members", True
    if _is("query_members", sig) and not _conditions(sig) - {"tiers", "interval_groups"}:
        return "query_members", True
    if _is("ranking", sig):
        return "region_overview", True
    if _is("diagnose", sig) and not (sig.metrics or sig.compare or _conditions(sig)):
        return "diagnose_store", True
    if _conditions(sig) and (_is("segment", sig) or not sig.metrics):
        return "build_segment", _is("segment", sig)
    if _is("segment", sig) and ("save_as" in sig.segment or sig.stores or sig.regions) \
            and not sig.metrics:
        return "build_segment", True
    if sig.metrics or _is("metric_words", sig):
        return "member_metrics", False
    if _is("segment", sig):  # "帮我圈一批人": a segment, its conditions still to ask
        return "build_segment", True
    return None, False


def _cue(key: str, sig: Signals) -> bool:
    return matches("cues", key, sig.text)


def _strong_howto(sig: Signals) -> bool:
    return _cue("howto_strong", sig)


def _conditions(sig: Signals) -> set[str]:
    return set(sig.segment) & SEGMENT_KEYS


def is_followup(sig: Signals) -> bool:
    """A short message that continues the last request ("那区域平均呢?", "换成金卡的")."""
    return len(sig.text) <= 30 and matches("followup_markers", "patterns", sig.text)

"""The offline model's understanding: `extract` (what a message names), `detect` and `plan`
(which tool with which arguments, or which fixed reply), over a small fixed vocabulary."""

from __future__ import annotations

from datetime import date

import pytest

from copilot.agent.offline.extract import Signals, extract
from copilot.agent.offline.intents import detect
from copilot.agent.offline.plan import Plan, Prior, plan
from copilot.agent.toolkit import TurnInfo
from tests.agent.offline_data import ROLES, STAFF, SUPERVISOR, VOCAB

TODAY = date(2026, 7, 1)


def sig(message: str) -> Signals:
    return extract(message, VOCAB, TODAY)


def plan_of(message: str, info: TurnInfo = STAFF, prior: Prior | None = None) -> Plan:
    return plan(sig(message), info, prior)


@pytest.mark.parametrize(("message", "store"), [
    ("北京朝阳大悦城店上个月复购率", "S001"), ("朝阳店复购率", "S001"), ("西单那家怎么样", "S002"),
    ("S3复购率", "S003"), ("s013复购率", "S013"), ("3号店复购率", "S003"), ("三号店复购率", "S003"),
    ("朝杨店复购率", "S001"), ("xidan store repurchase rate", "S002"),
    ("coco park repurchase rate", "S026"), ("in77店复购率", "S013"),
])
def test_a_store_is_found_however_it_is_named(message: str, store: str) -> None:
    assert sig(message).stores == [store]


def test_a_name_several_stores_share_is_left_to_the_tool() -> None:
    s = sig("大悦城店复购率")
    assert (s.stores, s.store_key) == ([], "大悦城店")
    assert plan_of("大悦城店复购率").calls[0][1]["store"] == "大悦城店"


@pytest.mark.parametrize("message", ["我们店复购率", "哪个店复购率最高", "各店复购率",
                                     "which store in the chain has the best repurchase rate"])
def test_words_that_only_look_like_stores_name_none(message: str) -> None:
    s = sig(message)
    assert s.stores == [] and s.store_key is None


@pytest.mark.parametrize(("message", "attr", "value"), [
    ("华北上个月复购率", "regions", ["华北"]), ("全连锁复购率", "chain", True),
    ("show me chain-wide repurchase rate", "chain", True), ("我们店复购率", "own_store", True),
    ("朝阳店复购率", "chain", False),
])
def test_scope_words(message: str, attr: str, value: object) -> None:
    assert getattr(sig(message), attr) == value


@pytest.mark.parametrize(("message", "period"), [
    ("上个月复购率", "上个月"), ("最近三十天复购率", "最近三十天"), ("5月到6月复购率", "5月到6月"),
    ("Q2复购率", "Q2"), ("repurchase rate last week", "last week"), ("复购率", None),
])
def test_period_phrase(message: str, period: str | None) -> None:
    s = sig(message)
    assert (s.period, s.period_error) == (period, None)


@pytest.mark.parametrize(("message", "words"), [("下个月复购率", ["下个月", "还没"]),
                                                ("本季度复购率", ["本季度", "2026-07-01"])])
def test_a_period_without_data_is_an_error_not_a_call(message: str, words: list[str]) -> None:
    s = sig(message)
    assert s.period is None and all(w in (s.period_error or "") for w in words)
    p = plan_of(message)
    assert p.calls == [] and p.error == s.period_error


@pytest.mark.parametrize(("message", "compare"), [
    ("复购率环比", ["previous"]), ("复购率同比", ["last_year"]),
    ("复购率跟全连锁比一下", ["chain"]), ("朝阳店5月复购率跟上月比", ["previous"]),
    ("S001 repurchase rate vs the same month last year", ["last_year"]),
])
def test_comparison_words(message: str, compare: list[str]) -> None:
    s = sig(message)
    assert s.compare == compare
    assert not s.chain  # "跟全连锁比" compares with the chain; it does not ask about it


def test_last_year_comparison_is_no_period() -> None:
    message = "S001 repurchase rate vs the same month last year"
    assert sig(message).period is None
    assert plan_of(message).calls[0][1]["period"] == "上个月"


@pytest.mark.parametrize("message", ["朝阳店5月复购率和上个月比一下",
                                     "朝阳店5月复购率跟上个月比怎么样"])
def test_comparison_with_last_month_spelt_out(message: str) -> None:
    assert sig(message).compare == ["previous"]


FOUR = ["repurchase_rate", "churn_rate", "conversion_rate", "new_member_share"]


@pytest.mark.parametrize(("message", "metrics"), [
    ("复购率多少", ["repurchase_rate"]), ("回购率", ["repurchase_rate"]),
    ("atv last month", ["avg_ticket"]), ("连带率和客单价", ["units_per_ticket", "avg_ticket"]),
    ("活跃会员数", ["active_members"]), ("复够率多少", ["repurchase_rate"]),
    ("流逝率", ["churn_rate"]), ("转换率", ["conversion_rate"]),
    ("四率怎么样", FOUR), ("流失会员有多少", []),
])
def test_metrics(message: str, metrics: list[str]) -> None:
    assert sig(message).metrics == metrics


def test_lapsed_members_are_an_interval_group_not_the_churn_metric() -> None:
    assert sig("流失会员有多少").segment == {"interval_groups": ["流失会员"]}
    assert plan_of("流失会员有多少").calls[0][0] == "build_segment"


@pytest.mark.parametrize(("message", "conditions"), [
    ("金卡 90天没来的会员", {"tiers": ["金卡"], "days_since_min": 90}),
    ("91到180天没来的会员", {"days_since_min": 91, "days_since_max": 180}),
    ("一百八十天内来过的会员", {"days_since_max": 180}),
    ("消费两千以上的会员", {"spend_min": 2000}),
    ("消费不到五百块的会员", {"spend_max": 500}),
    ("买过1到2笔的会员", {"purchases_min": 1, "purchases_max": 2}),
    ("有价格敏感标签的会员", {"tags_any": ["价格敏感"]}),
    ("金卡会员 去掉有怕打扰标签的", {"tiers": ["金卡"], "tags_none": ["怕打扰"]}),
    ("既价格敏感又爱用券的会员", {"tags_all": ["价格敏感", "爱用券"]}),
    ("7月生日的会员", {"birthday_month": 7}),
    ("最近一周过生日的会员", {"birthday_within_days": 7}),
    ("没加企微的金卡会员", {"tiers": ["金卡"], "wecom_added": False}),
    ("金卡 90天没来 存成 银卡召回",  # 银卡 inside the name is no tier
     {"tiers": ["金卡"], "days_since_min": 90, "save_as": "银卡召回"}),
    ("gold members who bought dresses, save it as Gold Dress Fans",
     {"tiers": ["金卡"], "categories": ["连衣裙"], "save_as": "Gold Dress Fans"}),
    ("gold members who haven't bought in 120+ days", {"tiers": ["金卡"], "days_since_min": 120}),
    ("3号店的金卡会员", {"tiers": ["金卡"]}),  # "3号" is a store, not a count or a spend
    ("最近30天复购率", {}),  # a period, not a recency condition
])
def test_segment_conditions(message: str, conditions: dict) -> None:
    assert sig(message).segment == conditions


ROUTES = [
    ("朝阳店上个月复购率多少", "staff", "member_metrics"),
    ("我们店客单价多少", "staff", "member_metrics"),
    ("S001 repurchase rate last month", "admin", "member_metrics"),
    ("四率怎么样", "supervisor", "member_metrics"),
    ("查一下尾号1234的会员", "staff", "query_members"),
    ("查一下会员M0001234", "staff", "query_members"),
    ("我名下的金卡会员", "staff", "query_members"),
    ("查一下会员王芳的情况", "staff", "query_members"),
    ("金卡 90天没来 消费两千以上的会员 存成分组 叫金卡召回", "staff", "build_segment"),
    ("帮我圈一下买过外套的银卡会员", "staff", "build_segment"),
    ("how many gold members haven't bought in 90 days", "admin", "build_segment"),
    ("我的分组有哪些", "staff", "list_segments"), ("list my segments", "admin", "list_segments"),
    ("刷新一下八月寿星这个分组", "staff", "refresh_segment"),
    ("refresh segment 金卡召回", "staff", "refresh_segment"),
    ("删除分组 银卡召回", "staff", "delete_segment"),
    ("delete SC Diamond Lapsed", "admin", "delete_segment"),
    ("我今天该联系谁", "staff", "followup_list"),
    ("明天过生日的会员有哪些要跟进", "staff", "followup_list"),
    ("who should I contact today", "staff", "followup_list"),
    ("诊断一下西单店", "supervisor", "diagnose_store"),
    ("朝阳店最近怎么回事", "supervisor", "diagnose_store"),
    ("how is S013 doing", "admin", "diagnose_store"),
    ("华北各店复购率排名", "supervisor", "region_overview"),
    ("哪家店流失率最高", "supervisor", "region_overview"),
    ("rank stores by repurchase rate", "admin", "region_overview"),
    ("沉睡会员怎么激活", "staff", "search_playbooks"),
    ("电话邀约话术", "staff", "search_playbooks"),
    ("复购率怎么提升", "staff", "search_playbooks"),
    ("how to reactivate sleeping members", "staff", "search_playbooks"),
    ("沉睡会员怎么激活", "trainee", "search_playbooks"),
    ("帮助", "staff", "help"), ("what can you do", "staff", "help"),
    ("你好", "staff", "greet"), ("hi", "admin", "greet"),
    ("谢谢", "staff", "thanks"), ("thanks", "staff", "thanks"),
    ("把所有会员手机号导出来", "admin", "privacy_abuse"),
    ("export all phone numbers", "admin", "privacy_abuse"),
    ("今天天气怎么样", "staff", "out_of_scope"), ("讲个笑话", "staff", "out_of_scope"),
    ("帮我把这个会员改成金卡", "staff", "cannot_modify"),
    ("帮我写一条会员日朋友圈文案", "staff", "draft_group_post"),
    ("帮我群发一条消息", "staff", "ask_campaign_segment"),
    ("帮我设个定时任务 每周一早上10点自动给金卡会员群发满减券", "staff", "recurring_campaign"),
    ("通过 0a1b2c3d4e", "supervisor", "approve_campaign"),
    ("驳回 0a1b2c3d4e 人太多了", "supervisor", "approve_campaign"),
    ("我的活动", "staff", "campaign_status"),
    ("有哪些活动等我审批", "supervisor", "campaign_status"),
    ("取消活动 0a1b2c3d4e", "staff", "cancel_campaign"),
    ("复盘一下活动 0a1b2c3d4e 的效果", "staff", "campaign_review"),
    ("取消这个活动", "staff", "ask_campaign"),
    ("活动审批流程是怎样的", "staff", "search_playbooks"),
    ("陪我练一下电话邀约", "staff", "start_practice"),
    ("我的练习进度", "trainee", "practice_progress"),
    ("role play a customer", "staff", "start_practice"),
    ("朝阳店复购率多少", "trainee", "trainee_no_data"),
    ("我今天该联系谁", "trainee", "trainee_no_data"),
    ("帮我诊断一下", "supervisor", "ask_store"), ("帮我诊断一下", "admin", "ask_store"),
    ("帮我诊断一下", "staff", "diagnose_store"),
]


@pytest.mark.parametrize(("message", "role", "expected"), ROUTES)
def test_routing(message: str, role: str, expected: str) -> None:
    p = plan_of(message, ROLES[role])
    assert (p.calls[0][0] if p.calls else p.reply) == expected


@pytest.mark.parametrize(("message", "expected"), [
    ("你好", ("greet", True)), ("删除分组 银卡召回", ("delete_segment", True)),
    ("复购率", ("member_metrics", False)), ("金卡 90天没来的会员", ("build_segment", False)),
    ("圈出金卡 90天没来的会员", ("build_segment", True)), ("嗯", (None, False)),
])
def test_detect_says_whether_the_request_is_explicit(message: str, expected: tuple) -> None:
    assert detect(sig(message)) == expected


@pytest.mark.parametrize(("role", "scope"), [
    ("staff", {"store": "S001"}), ("supervisor", {"region": "华北"}), ("admin", {"chain": True})])
def test_a_metric_question_without_a_scope_uses_the_askers_own(role: str, scope: dict) -> None:
    assert plan_of("复购率多少", ROLES[role]).calls == [
        ("member_metrics", {**scope, "period": "上个月", "metrics": ["repurchase_rate"],
                            "compare": []})]


def test_asking_for_a_store_remembers_the_question() -> None:
    p = plan_of("帮我诊断一下", SUPERVISOR)
    assert p.memo() == {"tool": "diagnose_store", "args": {"period": "上个月"}, "missing": "store"}


METRICS_PRIOR = Prior("member_metrics", {"store": "S001", "period": "上个月",
                                         "metrics": ["repurchase_rate"], "compare": []})
SEGMENT_PRIOR = Prior("build_segment", {"tiers": ["金卡"], "days_since_min": 90})
def _mm(**changed: object) -> tuple[str, dict]:
    return ("member_metrics", {**METRICS_PRIOR.args, **changed})


RANKED = {"regions": [{"metrics": [{"rows": [{"rank": 1, "store_id": "S002"},
                                             {"rank": 2, "store_id": "S001"}]}]}]}


@pytest.mark.parametrize(("message", "prior", "call"), [
    ("那区域平均呢?", METRICS_PRIOR, _mm(compare=["region"])),
    ("西单店呢", METRICS_PRIOR, _mm(store="S002")),
    ("流失率呢", METRICS_PRIOR, _mm(metrics=["churn_rate"])),
    ("上周呢", METRICS_PRIOR, _mm(period="上周")),
    ("换成银卡的", SEGMENT_PRIOR, ("build_segment", {"tiers": ["银卡"], "days_since_min": 90})),
    ("把这批人存成分组 叫银卡召回", SEGMENT_PRIOR, ("build_segment", {
        "tiers": ["金卡"], "days_since_min": 90, "save_as": "银卡召回"})),
    ("朝阳店", Prior("diagnose_store", {"period": "上个月"}, "store"),
     ("diagnose_store", {"store": "S001", "period": "上个月"})),
    ("倒数第一那家 诊断一下", Prior("region_overview", {"region": "华北"}, result=RANKED),
     ("diagnose_store", {"store": "S001", "period": "上个月"})),
    ("第一名那家 诊断一下", Prior("region_overview", {"region": "华北"}, result=RANKED),
     ("diagnose_store", {"store": "S002", "period": "上个月"})),
    ("诊断一下那家", Prior("region_overview", {"region": "华北"}, result=RANKED, pick="best"),
     ("diagnose_store", {"store": "S002", "period": "上个月"})),
    ("八月寿星", Prior("delete_segment", {}, "segment"),
     ("delete_segment", {"segment": "八月寿星"})),
])
def test_follow_up_continues_the_last_request(message: str, prior: Prior, call: tuple) -> None:
    assert plan_of(message, SUPERVISOR, prior).calls == [call]


SAVED = Prior("build_segment", {"stores": ["S002"], "tiers": ["钻石卡"], "save_as": "西单钻石"})


@pytest.mark.parametrize(("message", "prior", "call"), [
    ("删除分组 银卡召回", None, ("delete_segment", {"segment": "银卡召回"})),
    ("把银卡召回这个分组删掉", None, ("delete_segment", {"segment": "银卡召回"})),
    ("西单钻石 删了吧", SAVED, ("delete_segment", {"segment": "西单钻石"})),
    ("delete SC Diamond Lapsed", None, ("delete_segment", {"segment": "SC Diamond Lapsed"})),
    ("刷新一下八月寿星这个分组", None, ("refresh_segment", {"segment": "八月寿星"})),
])
def test_segment_name_to_delete_or_refresh(message: str, prior: Prior | None, call: tuple) -> None:
    assert plan_of(message, STAFF, prior).calls == [call]


def test_delete_without_a_name_asks_which_segment() -> None:
    p = plan_of("删除分组")
    assert p.calls == [] and p.reply == "ask_segment"
    assert p.memo() == {"tool": "delete_segment", "args": {}, "missing": "segment"}


@pytest.mark.parametrize("name", ["银卡召回", "西单钻石"])
def test_segment_name_answering_which_segment(name: str) -> None:
    p = plan_of(name, STAFF, Prior("delete_segment", {}, "segment"))
    assert p.calls == [("delete_segment", {"segment": name})]


@pytest.mark.parametrize("message", ["把它删掉", "删了它"])
def test_delete_it_after_saving_a_segment(message: str) -> None:
    assert plan_of(message, STAFF, SAVED).calls == [("delete_segment", {"segment": "西单钻石"})]


@pytest.mark.parametrize(("message", "store"), [
    ("diagnose Taikoo Li Sanlitun last month", "S003"),
    ("Shenzhen COCO Park churn rate", "S026"),
    ("hangzhou in77 repurchase", "S013"),
])
def test_english_mall_and_city_names_find_the_store(message: str, store: str) -> None:
    assert sig(message).stores == [store]

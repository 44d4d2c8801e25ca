"""`followup_list` ("今天我该联系谁") over a hand-built store where every line is checkable.

Today is D = 2026-11-25. Store S1 朝阳店 (华北) with staff E1 王芳 and E2 李强 (E4 owns no
one), manager E9; S2 海淀店 (华北); S3 静安店 (华东). E1's members, spend as of D:

  G85  银卡 11,800  D-365 23:59 5,000 (outside 365 days), D-364 00:00 4,000, D-20 2,800
                    → 365-day 6,800 = 85 % of 金卡 8,000: "再消费 ¥1,200 可升金卡"
  G70  银卡  5,600  365-day 5,600 = 70 %: not listed
  O45  opt-out 6,800 at D-45, birthday 11-27, 85 % of 金卡: all marketing → not listed
  A90        900  D-90 (2026-08-27), birthday 11-25 → lifecycle 90 + 今天生日
  A61        610  D-61: not a follow-up day → not listed
  A07        700  D-7  (2026-11-18)
  A45        450  D-45;  A30 300 D-30
  O01  opt-out 120 D-1 → listed, lifecycle 1 is after-sales service
  A01        100  D-1
  B03         50  D-400, birthday 11-28 → 3 天后生日
  BJ2, BF29, N00    no purchases; birthdays 01-02, 02-29, none
Others: C07 (E2, 777, D-7), U15 (S1, no owner, 150, D-15), H07 (S2/E3, 800, D-7).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from copilot.config import Settings, get_settings
from copilot.data.access import Caller, User
from copilot.data.bulk import insert_frame
from copilot.data.store import MemberStore
from copilot.state.audit import recent
from copilot.state.db import StateStore
from tools.base import ToolContext
from tools.common import birthday_keys
from tools.followup import rules as R
from tools.registry import get_tool
from tools.runner import ToolOutcome, run_tool

D = date(2026, 11, 25)
STAFF = {
    "E1": User("E1", "王芳", "staff", "S1", "华北"),
    "E2": User("E2", "李强", "staff", "S1", "华北"),
    "E4": User("E4", "陈新", "staff", "S1", "华北"),
    "E9": User("E9", "赵敏", "store_manager", "S1", "华北"),
    "E3": User("E3", "周杰", "staff", "S2", "华北"),
    "E5": User("E5", "陈静", "supervisor", None, "华北"),
    "E6": User("E6", "吴磊", "supervisor", None, "华东"),
    "E7": User("E7", "孙悦", "trainee", "S1", "华北"),
}
E1_ORDER = ["G85", "A90", "A07", "A45", "A30", "O01", "A01", "B03"]

# member, store, owner, tier, birthday, opted out, on WeCom, purchases (days before D, yuan)
_MEMBERS = [
    ("A01", "S1", "E1", "普卡", None, False, True, [(1, 100)]),
    ("A07", "S1", "E1", "普卡", None, False, False, [(7, 700)]),
    ("A30", "S1", "E1", "普卡", None, False, True, [(30, 300)]),
    ("A45", "S1", "E1", "普卡", None, False, True, [(45, 450)]),
    ("A61", "S1", "E1", "普卡", None, False, True, [(61, 610)]),
    ("A90", "S1", "E1", "普卡", "1990-11-25", False, True, [(90, 900)]),
    ("B03", "S1", "E1", "普卡", "1991-11-28", False, True, [(400, 50)]),
    ("BJ2", "S1", "E1", "普卡", "1985-01-02", False, True, []),
    ("BF29", "S1", "E1", "普卡", "1992-02-29", False, True, []),
    ("G70", "S1", "E1", "银卡", None, False, True, [(100, 3000), (20, 2600)]),
    ("O01", "S1", "E1", "普卡", None, True, False, [(1, 120)]),
    ("O45", "S1", "E1", "银卡", "1980-11-27", True, True, [(45, 6800)]),
    ("N00", "S1", "E1", "普卡", None, False, True, []),
    ("C07", "S1", "E2", "银卡", None, False, True, [(7, 777)]),
    ("U15", "S1", None, "普卡", None, False, True, [(15, 150)]),
    ("H07", "S2", "E3", "普卡", None, False, True, [(7, 800)]),
]


def _frames() -> dict[str, pd.DataFrame]:
    stores = pd.DataFrame([("S1", "朝阳店", "华北", "北京"), ("S2", "海淀店", "华北", "北京"),
                           ("S3", "静安店", "华东", "上海")],
                          columns=["store_id", "name", "region", "city"]).assign(opened_on=pd.NaT)
    staff = pd.DataFrame([(u.staff_id, u.name, u.store_id, u.role, u.region)
                          for u in STAFF.values()],
                         columns=["staff_id", "name", "store_id", "role", "region"])
    members, tx = [], []
    for i, (mid, store, owner, tier, bday, opt_out, wecom, buys) in enumerate(_MEMBERS):
        members.append((mid, f"会员{mid}", f"1380000{i:04d}", "女",
                        pd.Timestamp(bday) if bday else pd.NaT, pd.Timestamp("2023-06-01"),
                        store, owner, tier, 0, wecom, opt_out))
        tx += [(f"T{mid}-{n}", mid, store, owner,
                datetime.combine(D - timedelta(days=days), datetime.min.time())
                + timedelta(hours=12), float(amount), 1, "store")
               for n, (days, amount) in enumerate(buys)]
    # G85: the 365-day window is [D-364 00:00, D+1 00:00), so 5,000 at D-365 23:59:59 is out.
    tx += [("TG1", "G85", "S1", "E1", datetime(2025, 11, 25, 23, 59, 59), 5000.0, 1, "store"),
           ("TG2", "G85", "S1", "E1", datetime(2025, 11, 26, 0, 0, 0), 4000.0, 1, "store"),
           ("TG3", "G85", "S1", "E1", datetime(2026, 11, 5, 12, 0, 0), 2800.0, 1, "store")]
    members.append(("G85", "会员G85", "13800009999", "女", pd.NaT, pd.Timestamp("2023-06-01"),
                    "S1", "E1", "银卡", 0, True, False))
    return {
        "stores": stores, "staff": staff,
        "members": pd.DataFrame(members, columns=[
            "member_id", "name", "phone", "gender", "birthday", "joined_at", "store_id",
            "staff_id", "tier", "points", "wecom_added", "opt_out"]),
        "transactions": pd.DataFrame(tx, columns=[
            "tx_id", "member_id", "store_id", "staff_id", "ts", "amount", "units", "channel"]),
    }


def _load(store: MemberStore) -> MemberStore:
    with store.write(fresh=True) as conn:
        for table, frame in _frames().items():
            insert_frame(conn, table, frame)
    return store


@pytest.fixture
def fu_store(settings: Settings) -> MemberStore:
    return _load(MemberStore.from_settings(settings))


def _ctx(settings: Settings, members: MemberStore, who: str, *, direct: bool = True,
         today: date = D) -> ToolContext:
    return ToolContext(settings, members, StateStore.from_settings(settings),
                       Caller(STAFF[who], direct=direct, channel="test"), today=today)


@pytest.fixture
def fu_ask(settings: Settings, fu_store: MemberStore):
    def ask(who: str, args: dict | None = None, *, direct: bool = True,
            today: date = D) -> ToolOutcome:
        return run_tool(_ctx(settings, fu_store, who, direct=direct, today=today),
                        "followup_list", args or {})

    return ask


def _ok(out: ToolOutcome):
    assert out.ok, out.error
    return out.result


def _reasons(result) -> dict[str, list[str]]:
    return {m.member_id: [r.text for r in m.reasons] for m in result.items}


def test_my_list_today(fu_ask, settings: Settings, fu_store: MemberStore) -> None:
    res = _ok(fu_ask("E1"))
    assert res.day == "2026-11-25" and res.target == "王芳(E1)名下会员"
    assert [m.member_id for m in res.items] == E1_ORDER
    assert _reasons(res) == {
        "G85": ["再消费 ¥1,200 可升金卡(近365天消费 ¥6,800)"],
        "A90": ["上次消费在 90 天前(2026-08-27)", "今天生日(11-25)"],
        "A07": ["上次消费在 7 天前(2026-11-18)"],
        "A45": ["上次消费在 45 天前(2026-10-11)"],
        "A30": ["上次消费在 30 天前(2026-10-26)"],
        "O01": ["上次消费在 1 天前(2026-11-24)"],
        "A01": ["上次消费在 1 天前(2026-11-24)"],
        "B03": ["3 天后生日(11-28)"],
    }
    assert res.counts == {"lifecycle": 6, "birthday": 2, "tier_upgrade": 1}
    assert (res.total, res.cut) == (8, 0)
    by_id = {m.member_id: m for m in res.items}
    assert [r.citation.playbook for r in by_id["A90"].reasons] == [
        "invite-back-60-90-120", "birthday-special-day-care"]
    assert by_id["A45"].reasons[0].citation.playbook == "second-purchase-guidance"
    assert "第二次消费" in by_id["A30"].reasons[0].action
    assert by_id["A01"].reasons[0].citation.playbook == "lifecycle-service-standard"
    assert by_id["G85"].reasons[0].citation.playbook == "upgrade-nudge"
    assert (by_id["G85"].value, by_id["G85"].last_purchase) == (11800.0, "2026-11-05")
    assert (by_id["A07"].channel, by_id["A01"].channel) == ("电话", "企微")
    assert by_id["O01"].opt_out and [r.kind for r in by_id["O01"].reasons] == ["lifecycle"]
    # Direct conversation with the owning staff: full personal data.
    assert (by_id["A07"].name, by_id["A07"].phone, by_id["A07"].masked) == (
        "会员A07", "13800000001", False)
    assert {(c.playbook, c.section) for c in res.citations()} == {
        ("upgrade-nudge", "步骤"), ("invite-back-60-90-120", "步骤"),
        ("birthday-special-day-care", "步骤"), ("lifecycle-service-standard", "步骤"),
        ("second-purchase-guidance", "步骤")}
    text = res.text()
    assert text.startswith("2026-11-25 跟进名单 · 王芳(E1)名下会员:共 8 位")
    assert "1. G85 会员G85 13800009999 · 银卡 · 累计 ¥11,800 · 建议企微联系" in text
    assert "已退订营销" in text and "脱敏" not in text
    entry = recent(StateStore.from_settings(settings), actor="E1")[0]
    assert (entry["action"], entry["ok"], entry["args"], entry["conversation"]) == (
        "followup_list", True, {}, "direct")


def test_group_chat_masks(fu_ask) -> None:
    res = _ok(fu_ask("E1", {"limit": 3}, direct=False))
    assert [m.member_id for m in res.items] == E1_ORDER[:3]
    assert (res.total, res.cut) == (8, 5)
    assert all(m.masked for m in res.items)
    assert (res.items[0].name, res.items[0].phone) == ("会****", "138****9999")
    assert "另有 5 位未列出" in res.text() and "脱敏" in res.text()


def test_store_list_for_manager_and_supervisor(fu_ask) -> None:
    res = _ok(fu_ask("E9", {"store": "朝阳店"}))
    assert res.target == "朝阳店(S1)全店会员"
    assert [m.member_id for m in res.items] == [
        "G85", "A90", "C07", "A07", "A45", "A30", "U15", "O01", "A01", "B03"]
    assert res.counts == {"lifecycle": 8, "birthday": 2, "tier_upgrade": 1}
    assert _reasons(res)["U15"] == ["上次消费在 15 天前(2026-11-10)"]
    owners = {m.member_id: m.owner for m in res.items}
    assert (owners["C07"], owners["A07"], owners["U15"]) == ("李强(E2)", "王芳(E1)", None)
    assert "· 归属 李强(E2)" in res.text() and "· 归属 无(店长分配)" in res.text()
    assert not any(m.masked for m in res.items)  # the store's manager, one-to-one
    colleague = _ok(fu_ask("E9", {"staff": "E2"}))
    assert [m.member_id for m in colleague.items] == ["C07"]
    assert _ok(fu_ask("E9", {"staff": "李强", "store": "S1"})).target == "李强(E2)名下会员"
    sup = _ok(fu_ask("E5", {"store": "S1", "reasons": ["tier_upgrade"]}))
    assert [m.member_id for m in sup.items] == ["G85"]
    assert sup.counts == {"tier_upgrade": 1} and sup.items[0].masked


def test_reason_filter_and_defaults(fu_ask) -> None:
    res = _ok(fu_ask("E1", {"reasons": ["birthday"]}))
    assert _reasons(res) == {"A90": ["今天生日(11-25)"], "B03": ["3 天后生日(11-28)"]}
    assert _ok(fu_ask("E1", {"staff": "e1"})).total == 8  # asking for oneself is fine
    assert _ok(fu_ask("E9")).items == []  # a manager's own list: owns no one here


def test_birthdays_across_year_end_and_29_february(fu_ask) -> None:
    def birthdays(day: str, today: date = D) -> dict[str, list[str]]:
        return _reasons(_ok(fu_ask("E1", {"day": day, "reasons": ["birthday"]}, today=today)))

    assert birthdays("2026-12-30") == {"BJ2": ["3 天后生日(01-02)"]}
    assert birthdays("2027-02-25") == {"BF29": ["3 天后生日(02-29)"]}  # common year: 28 Feb
    assert birthdays("2027-02-21") == {"BF29": ["7 天后生日(02-29)"]}
    assert birthdays("2027-02-20") == {}
    assert birthdays("2024-02-27") == {"BF29": ["后天生日(02-29)"]}  # leap year: 29 Feb
    assert birthdays("2024-02-21") == {}  # 29 Feb 2024 is 8 days away


def test_past_day_sees_only_purchases_up_to_it(fu_ask) -> None:
    # On 2026-11-11 A07's purchase (2026-11-18) has not happened; U15's (11-10) is 1 day old,
    # G85's 2,800 (11-05) is 6 days old and its 365-day spend is 4,000 + 5,000 = 9,000.
    res = _ok(fu_ask("E9", {"store": "S1", "day": "2026-11-11"}))
    assert _reasons(res) == {"U15": ["上次消费在 1 天前(2026-11-10)"]}


def test_empty_lists_are_friendly(fu_ask) -> None:
    none_owned = _ok(fu_ask("E4"))
    assert none_owned.items == [] and none_owned.owned == 0
    assert none_owned.text() == "陈新(E4)名下会员:目前没有会员,2026-11-25 没有需要跟进的人。"
    quiet = _ok(fu_ask("E2", {"day": "2026-11-26"}))
    assert quiet.items == [] and quiet.owned == 1
    assert "没有需要跟进的会员" in quiet.text()


@pytest.mark.parametrize(("who", "args", "words"), [
    ("E1", {"staff": "E2"}, "只能查看自己的跟进名单"),
    ("E1", {"store": "朝阳店"}, "只能查看自己的跟进名单"),
    ("E7", {}, "培训账号不能查看会员数据"),
    ("E9", {"staff": "E3"}, "员工 E3 不属于你可查看的门店;你可以查看:朝阳店(S1)"),
    ("E9", {"staff": "E404"}, "找不到员工 'E404'"),
    ("E9", {"store": "海淀店"}, "没有查看 海淀店(S2) 的权限"),
    ("E9", {"staff": "E2", "store": "S2"}, "没有查看 海淀店(S2) 的权限"),
    ("E5", {}, "请说明要看哪家门店或哪位员工"),
    ("E6", {"store": "朝阳店"}, "没有查看 朝阳店(S1) 的权限"),
    ("E1", {"day": "2027-11-27"}, "太远了"),
    ("E1", {"limit": 0}, "limit"),
    ("E1", {"limit": 201}, "limit"),
    ("E1", {"reasons": ["vip"]}, "reasons"),
    ("E1", {"member": "A01"}, "member"),
])
def test_refusals_and_bad_input(fu_ask, settings: Settings, who: str, args: dict,
                                words: str) -> None:
    out = fu_ask(who, args)
    assert not out.ok and words in (out.error or ""), out.error
    entry = recent(StateStore.from_settings(settings), actor=who)[0]
    assert (entry["action"], entry["ok"], entry["error"]) == ("followup_list", False, out.error)


def test_limit_and_day_bounds_accepted(fu_ask) -> None:
    assert _ok(fu_ask("E1", {"limit": 200, "day": "2027-11-26"})).day == "2027-11-26"
    assert len(_ok(fu_ask("E1", {"limit": 1})).items) == 1


def test_rules_cite_existing_playbook_sections() -> None:
    rules = R.load_rules()
    books = R.playbooks()
    for rule in rules.all_rules():
        assert rule.playbook in books, rule.playbook
        assert rule.section in books[rule.playbook].heading_names, (rule.playbook, rule.section)
    days = get_settings().followup.days
    assert [rules.bucket(d).playbook for d in days] == [
        "lifecycle-service-standard"] * 3 + ["second-purchase-guidance"] * 2 + [
        "invite-back-60-90-120"] * 3
    assert [rules.bucket(d).service for d in days] == [True, True] + [False] * 6
    assert rules.bucket(150).playbook == "sleeping-member-reactivation"
    assert rules.bucket(9999).playbook == "churn-recall"


def test_rule_math() -> None:
    assert 229 in birthday_keys(date(2027, 2, 21), 7)
    assert 229 not in birthday_keys(date(2024, 2, 21), 7)
    assert birthday_keys(date(2026, 12, 30), 3) == [101, 102, 1230, 1231]
    bands = R.tier_bands({"银卡": 2000, "金卡": 8000, "钻石卡": 20000}, 0.8)
    assert [(b.tier, b.low, b.threshold) for b in bands] == [
        ("银卡", 1600, 2000), ("金卡", 6400, 8000), ("钻石卡", 16000, 20000)]
    assert R.near_tier(6399.99, bands) is None
    band = R.near_tier(6400, bands)
    assert band is not None and band.tier == "金卡"
    assert R.money(R.gap_to(band, 6765.4)) == "¥1,234.60"
    assert R.near_tier(8000, bands) is None
    # A share so low the band would reach below the tier under it starts at that tier.
    assert R.tier_bands({"银卡": 2000, "金卡": 8000}, 0.1)[1].low == 2000
    assert "今天我该联系谁" in get_tool("followup_list").description


@pytest.mark.postgres
def test_same_list_on_postgresql(pg_url: str, data_dir) -> None:
    settings = get_settings(database_url=pg_url)
    members = _load(MemberStore.from_settings(settings))
    try:
        res = _ok(run_tool(_ctx(settings, members, "E9"), "followup_list", {"store": "S1"}))
        assert [m.member_id for m in res.items] == [
            "G85", "A90", "C07", "A07", "A45", "A30", "U15", "O01", "A01", "B03"]
        assert _reasons(res)["G85"] == ["再消费 ¥1,200 可升金卡(近365天消费 ¥6,800)"]
        past = _ok(run_tool(_ctx(settings, members, "E9"), "followup_list",
                            {"store": "S1", "day": "2024-02-27", "reasons": ["birthday"]}))
        assert _reasons(past) == {"BF29": ["后天生日(02-29)"]}
    finally:
        members.close()

"""query_members over the small chain: lookup, lists, scope refusals, masking by audience."""

from __future__ import annotations

from copilot.state.audit import recent


def test_one_member_by_id_full_profile_masked_in_a_group(ask) -> None:
    out = ask("E01", "query_members", {"member_id": "m01"})
    assert out.ok, out.error
    m = out.result.members[0]
    assert (m.member_id, m.name, m.phone, m.masked) == ("M01", "张**", "138****1234", True)
    assert (m.tier, m.purchases, m.spend, m.last_purchase, m.days_since) == (
        "金卡", 3, 1600.0, "2026-11-20", 5)
    assert m.stage == "核心会员" and m.owner == "王芳(E01)"
    assert m.tags == ["偏好:通勤风", "消费:高客单"]
    assert [p.tx_id for p in m.recent] == ["T01", "T02", "T03"]
    assert m.birthday is None  # birthdays are personal data too
    text = out.text()
    assert "138****1234" in text and "13812341234" not in text and "张三丰" not in text
    assert "喜欢通勤款" not in text and m.note is None  # the note is personal data too


def test_owning_staff_one_to_one_sees_full_data(ask) -> None:
    m = ask("E01", "query_members", {"member_id": "M01"}, direct=True).result.members[0]
    assert (m.name, m.phone, m.masked, m.birthday) == ("张三丰", "13812341234", False, "11-28")
    assert m.note == "喜欢通勤款,周末有空"
    colleague = ask("E02", "query_members", {"member_id": "M01"}, direct=True)
    assert colleague.result.members[0].phone == "138****1234"


def test_phone_tail_and_lists_stay_inside_the_callers_stores(ask) -> None:
    assert [m.member_id for m in ask("E01", "query_members", {"phone_tail": "1234"}
                                     ).result.members] == ["M01"]
    # M04 (S002) ends in 2222 too but E01 only sees S001.
    assert ask("E01", "query_members", {"phone_tail": "2222"}).result.members == []
    listed = ask("E05", "query_members", {"tier": ["金卡"]}).result.members
    assert [m.member_id for m in listed] == ["M04", "M07", "M01"]  # 2200, 2200 (by id), 1600
    mine = ask("E01", "query_members", {"mine": True}).result.members
    assert {m.member_id for m in mine} == {"M01", "M03", "M07"}


def test_stage_filter_uses_days_since_last_purchase(ask) -> None:
    def ids(stage: str) -> list[str]:
        return sorted(m.member_id for m in ask("E06", "query_members", {"stage": [stage]}
                                                ).result.members)
    assert ids("核心会员") == ["M01", "M04", "M06"]  # 5, 26, 24 days
    assert ids("潜力会员") == ["M07"]  # 85
    assert ids("普通会员") == ["M02"]  # 97
    assert ids("流失会员") == ["M05"]  # 684
    assert ids("未消费会员") == ["M03"]


def test_out_of_scope_member_and_unknown_member_are_clear(ask) -> None:
    out = ask("E01", "query_members", {"member_id": "M04"})
    assert not out.ok
    assert out.error == ("会员 M04 不属于你可查看的门店;你可以查看:北京朝阳大悦城店(S001)。")
    out = ask("E01", "query_members", {"member_id": "M99"})
    assert out.error == "没有会员卡号 M99 的会员,请核对卡号。"
    assert ask("E07", "query_members", {"member_id": "M01"}).error.startswith("培训账号不能查看")


def test_bad_arguments_are_explained_and_audited(ask, settings) -> None:
    out = ask("E01", "query_members", {"phone_tail": "12ab", "limit": 500, "color": "red"})
    assert not out.ok
    assert "phone_tail" in out.error and "手机号尾号应为 3~11 位数字" in out.error
    assert "limit 数值太大" in out.error and "color 不认识这个参数" in out.error
    out = ask("E01", "query_members", '{"member_id": ')
    assert out.error.startswith("参数不是合法的 JSON")
    from copilot.state.db import StateStore
    entries = recent(StateStore.from_settings(settings), actor="E01")
    assert [e["ok"] for e in entries][:2] in ([False, False], [0, 0])
    assert entries[1]["args"] == {"phone_tail": "12ab", "limit": 500, "color": "red"}
    assert entries[0]["action"] == "query_members" and entries[0]["conversation"] == "group"


def test_like_wildcards_and_full_width_digits_are_taken_literally(ask) -> None:
    assert ask("E06", "query_members", {"name": "%"}).result.members == []
    assert ask("E06", "query_members", {"name": "_"}).result.members == []
    assert [m.member_id for m in ask("E06", "query_members", {"name": "张"}).result.members
            ] == ["M01"]
    full_width = ask("E01", "query_members", {"phone_tail": "１２３４"})
    assert [m.member_id for m in full_width.result.members] == ["M01"]
    tiers = ask("E01", "query_members", {"tier": ["白金卡"]}).error
    assert tiers == "没有等级 白金卡;现有等级:普卡、银卡、金卡、钻石卡。"


def test_invalid_json_is_audited_as_sent(ask, settings) -> None:
    from copilot.state.db import StateStore

    ask("E01", "query_members", '{"member_id": ')
    entry = recent(StateStore.from_settings(settings), limit=1)[0]
    assert entry["args"] == {"_raw": '{"member_id": '}

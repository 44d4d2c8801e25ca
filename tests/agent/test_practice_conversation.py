"""Practice in a conversation (any channel): "我想练一下电话邀约" starts it, every message
then goes to the customer until "结束", which scores it; progress afterwards."""

from __future__ import annotations

from tests.agent.conftest import Talk

STRONG = ["王姐您好,我是朝阳大悦城店的小李,之前帮您挑过通勤外套。",
          "这周六是会员日,金卡满500减80,到店还能领护理小样。",
          "天凉了,您这季通勤想添点什么?",
          "那我周六下午两点帮您把新款先留好,您到了直接试?",
          "好的,谢谢您,周六见!"]


def test_a_trainee_practises_in_chat_and_sees_the_score_and_progress(talk: Talk) -> None:
    turns = talk("E07", "我想练一下电话邀约", *STRONG, "结束", "我的练习进度")
    start, *lines, end, progress = turns
    assert [c.name for c in start.tool_calls] == ["start_practice"]
    assert start.tool_calls[0].result["scenario"] == "phone_invitation"
    assert "电话邀约" in start.answer and "顾客:喂,哪位?" in start.answer
    assert all(t.answer.startswith("顾客:") and not t.tool_calls for t in lines)
    assert "得分" in end.answer and "/100" in end.answer and "更好的说法" not in end.answer
    assert [c.name for c in progress.tool_calls] == ["practice_progress"]
    assert "邀约:练了 1 次,及格 1 次" in progress.answer


def test_a_weak_practice_shows_better_lines(talk: Talk) -> None:
    *_, end = talk("E07", "陪我练练顾客嫌贵", "这个不贵啊,你爱买不买", "结束")
    assert "未通过" in end.answer and "更好的说法" in end.answer


def test_practice_is_bound_to_its_conversation(talk: Talk) -> None:
    talk("E07", "我想练一下生日关怀", thread="a")
    [other] = talk("E07", "朝阳店上个月复购率多少", thread="b")  # another conversation
    assert not other.answer.startswith("顾客:")


def test_asking_for_data_is_not_practice(talk: Talk) -> None:
    [got] = talk("E07", "把我们店金卡会员圈出来给我 我想练练手")
    assert not any(c.name == "start_practice" for c in got.tool_calls)


def test_a_scenario_named_with_member_words_is_still_practice(talk: Talk) -> None:
    for said, scenario in (("我想练一下生日关怀", "birthday_care"),
                           ("陪我练练临界会员升级", "upgrade_nudge")):
        [got] = talk("E07", said, thread=scenario)
        assert [c.name for c in got.tool_calls] == ["start_practice"], got.answer
        assert got.tool_calls[0].result["scenario"] == scenario

"""The agent loop end to end with the offline model over the small test chain."""

from __future__ import annotations

import asyncio
import re

import pytest

from copilot.agent.service import Copilot
from copilot.errors import UserError
from copilot.state.audit import recent
from copilot.state.db import StateStore
from tests.agent.conftest import Talk, converse
from tests.tools import chain
from tests.tools.fixtures import make_ctx
from tools.runner import run_tool


def test_a_metric_question_calls_the_tool_and_answers_with_its_figures(talk: Talk, settings,
                                                                         chain_store) -> None:
    [r] = talk("E01", "@小助手 我们店上个月复购率多少")
    assert [c.name for c in r.tool_calls] == ["member_metrics"]
    call = r.tool_calls[0]
    assert call.ok and call.args["store"] == "S001" and call.args["period"] == "上个月"
    direct = run_tool(make_ctx(settings, chain_store, "E01"), "member_metrics", call.args)
    assert direct.ok and direct.text() in r.answer  # every figure is the tool's own
    assert "复购率" in r.answer and r.pending_action is None


def test_follow_ups_reuse_the_last_request(talk: Talk) -> None:
    first, region, other = talk("E03", "朝阳店上个月复购率", "那区域平均呢?", "上上个月呢")
    assert region.tool_calls[0].args["compare"] == ["region"]
    assert region.tool_calls[0].args["store"] == first.tool_calls[0].args["store"] == "S001"
    assert "华北" in region.answer
    assert other.tool_calls[0].args["period"] == "上上个月"
    assert other.tool_calls[0].args["compare"] == ["region"]


def test_a_missing_store_is_asked_for_then_taken_from_the_answer(talk: Talk) -> None:
    asked, done = talk("E05", "帮我诊断一下", "朝阳店")
    assert asked.tool_calls == [] and "哪个门店" in asked.answer
    assert [c.name for c in done.tool_calls] == ["diagnose_store"]
    assert done.tool_calls[0].args["store"] == "S001" and done.tool_calls[0].ok


def test_out_of_scope_reads_are_refused_by_the_tool_not_the_prompt(talk: Talk) -> None:
    [r] = talk("E01", "西单店上个月复购率多少")
    call = r.tool_calls[0]
    assert call.args["store"] == "S002" and not call.ok
    assert "没有查看" in r.answer and "北京朝阳大悦城店" in r.answer
    assert not re.search(r"\d+\.\d%", r.answer)  # no figure of S002 leaks


def test_trainees_get_no_member_data_but_can_read_playbooks(talk: Talk) -> None:
    data, book = talk("E07", "我们店上个月复购率多少", "沉睡会员怎么激活")
    assert data.tool_calls == [] and "培训账号不能查看会员数据" in data.answer
    assert [c.name for c in book.tool_calls] == ["search_playbooks"] and book.tool_calls[0].ok
    assert book.citations and book.citations[0].playbook == "sleeping-member-reactivation"
    assert "出处" in book.answer


def test_things_it_cannot_do_are_said_plainly(talk: Talk) -> None:
    privacy, weather, change = talk("E03", "把所有会员手机号导出来发群里", "明天天气怎么样",
                                    "帮我把M01的等级改成钻石卡")
    for r in (privacy, weather, change):
        assert r.tool_calls == [] and r.pending_action is None
    assert "隐私" in privacy.answer and "做不了" in weather.answer and "不能修改" in change.answer


def test_group_answers_never_show_a_full_phone_number(talk: Talk) -> None:
    group = talk("E01", "查一下尾号1234的会员", thread="g")[0]
    direct = talk("E01", "查一下尾号1234的会员", thread="d", direct=True)[0]
    assert group.tool_calls[0].ok and "13812341234" not in group.answer and "****" in group.answer
    assert "13812341234" in direct.answer  # one-to-one with the owning staff


@pytest.mark.parametrize("message, words", [("", "空"), ("复购率" * 1000, "太长")])
def test_bad_messages_get_a_clear_error(talk: Talk, message: str, words: str) -> None:
    with pytest.raises(UserError) as err:
        talk("E01", message)
    assert words in err.value.zh


def test_an_unknown_staff_id_is_refused(talk: Talk) -> None:
    with pytest.raises(UserError) as err:
        talk("E99", "你好")
    assert "找不到员工编号" in err.value.zh


def _segments(settings, store, staff: str) -> str:
    return run_tool(make_ctx(settings, store, staff), "list_segments", {}).text()


def test_deleting_waits_for_the_requesters_confirmation(settings, chain_store) -> None:
    turns = [("E03", "朝阳店 金卡 存成 金卡组"), ("E03", "删除分组 金卡组"),
             ("E01", "确认"), ("E03", "确认")]
    saved, pending, stranger, confirmed = converse(settings, turns)
    assert saved.tool_calls[0].args["save_as"] == "金卡组" and saved.tool_calls[0].ok
    assert pending.tool_calls == [] and pending.pending_action is not None
    assert pending.pending_action.name == "delete_segment"
    assert pending.pending_action.requested_by == "E03" and "确认" in pending.answer
    assert stranger.tool_calls == [] and "E03 本人确认" in stranger.answer
    assert [c.name for c in confirmed.tool_calls] == ["delete_segment"]
    assert confirmed.tool_calls[0].ok and confirmed.pending_action is None
    assert "金卡组" not in _segments(settings, chain_store, "E03")


@pytest.mark.parametrize("reply", ["取消", "算了", "朝阳店上个月复购率多少"])
def test_cancelling_or_moving_on_keeps_the_segment(settings, chain_store, reply: str) -> None:
    turns = [("E03", "朝阳店 金卡 存成 金卡组"), ("E03", "删除分组 金卡组"), ("E03", reply)]
    *_, after = converse(settings, turns)
    assert after.pending_action is None
    assert all(c.name != "delete_segment" for c in after.tool_calls)
    assert "金卡组" in _segments(settings, chain_store, "E03")
    if reply == "取消":
        assert "已取消" in after.answer
    if reply.startswith("朝阳店"):  # the new question is answered, the deletion dropped
        assert [c.name for c in after.tool_calls] == ["member_metrics"]


def test_every_tool_call_of_a_turn_is_audited(talk: Talk, settings) -> None:
    talk("E03", "朝阳店上个月复购率", "西单店呢")
    entries = recent(StateStore.from_settings(settings), limit=10)
    calls = [(e["actor"], e["action"], bool(e["ok"])) for e in entries if e["channel"] == "test"]
    assert ("E03", "member_metrics", True) in calls and ("E03", "member_metrics", False) in calls


def test_the_json_contract_of_a_turn(talk: Talk) -> None:
    [r] = talk("E03", "沉睡会员怎么激活")
    data = r.as_json()
    assert list(data) == ["answer", "tool_calls", "citations", "pending_action"]
    assert list(data["tool_calls"][0]) == ["name", "args", "ok", "error"]
    assert list(data["citations"][0]) == ["playbook", "title", "section"]


def test_threads_are_separate(settings, chain_store) -> None:
    async def run() -> tuple[str, str]:
        async with Copilot.open(settings) as copilot:
            await copilot.turn("朝阳店上个月复购率", staff_id="E03", thread="a",
                               today=chain.TODAY)
            other = await copilot.turn("那区域平均呢?", staff_id="E03", thread="b",
                                       today=chain.TODAY)
            same = await copilot.turn("那区域平均呢?", staff_id="E03", thread="a",
                                      today=chain.TODAY)
            return other.answer, same.tool_calls[0].args["compare"][0]

    other, compare = asyncio.run(run())
    assert "还没有可以接着问的内容" in other and compare == "region"

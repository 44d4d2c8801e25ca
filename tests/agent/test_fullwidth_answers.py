"""Answers typed on a Chinese keyboard: full-width ？ and ！ read as their ASCII twins, so
"确定？" asks about the waiting action (it does not cancel it) and "确认！" approves."""

from __future__ import annotations

from copilot.agent.turn import decision
from copilot.config import Settings
from copilot.data.store import MemberStore
from tests.agent.conftest import Talk
from tests.tools.fixtures import make_ctx
from tools.runner import run_tool


def test_full_width_punctuation_in_a_decision() -> None:
    assert decision("确定\uff1f") is None
    assert decision("确认\uff01") == "approve" and decision("取消\uff01") == "reject"


def test_a_full_width_question_keeps_the_action_waiting(settings: Settings,
                                                        chain_store: MemberStore,
                                                        talk: Talk) -> None:
    assert run_tool(make_ctx(settings, chain_store, "E03"), "build_segment",
                    {"tiers": ["金卡"], "save_as": "金卡组"}).ok
    ask, question, yes = talk("E03", "把金卡组这个分组删掉", "确定\uff1f", "确认\uff01")
    assert ask.pending_action is not None
    assert question.tool_calls == [] and question.pending_action is not None
    assert "请回复“确认”" in question.answer
    assert [c.name for c in yes.tool_calls] == ["delete_segment"] and yes.tool_calls[0].ok

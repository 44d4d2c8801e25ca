"""The runner: every call audited, every failure a message, never a traceback."""

from __future__ import annotations

import pytest

from copilot.state.audit import recent
from copilot.state.db import StateStore
from tests.tools.fixtures import make_ctx
from tools.base import Tool, ToolArgs
from tools.registry import all_tools
from tools.runner import run_tool


def test_registry_names_are_unique_and_documented() -> None:
    names = [t.name for t in all_tools()]
    assert len(names) == len(set(names))
    assert {"query_members", "member_metrics", "build_segment", "followup_list",
            "diagnose_store", "region_overview"} <= set(names)
    for tool in all_tools():
        assert len(tool.description) > 20, tool.name  # the model reads it
        assert tool.schema()["type"] == "object"


def test_unknown_tool_is_a_message_and_audited(ask, settings) -> None:
    out = ask("E01", "delete_all_members", {})
    assert not out.ok and out.error.startswith("没有名为 'delete_all_members' 的工具")
    entry = recent(StateStore.from_settings(settings), limit=1)[0]
    assert entry["action"] == "delete_all_members" and entry["actor"] == "E01"


def test_arguments_must_be_a_json_object(ask) -> None:
    assert ask("E01", "query_members", "[1, 2]").error.startswith("参数必须是 JSON 对象")


def test_a_bug_in_a_tool_is_logged_not_shown(settings, chain_store, monkeypatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    class Args(ToolArgs):
        pass

    def broken(_ctx: object, _args: Args) -> None:
        raise ZeroDivisionError("secret detail")

    monkeypatch.setattr("tools.runner.get_tool", lambda name: Tool(name, Args, broken))
    out = run_tool(make_ctx(settings, chain_store, "E01"), "broken", {})
    assert out.error == "内部错误,这次调用没有完成,已记录,请稍后再试或联系管理员。"
    assert "secret detail" not in out.error
    assert "tool broken failed" in caplog.text
    entry = recent(StateStore.from_settings(settings), limit=1)[0]
    assert entry["ok"] in (False, 0) and entry["action"] == "broken"


def test_outcome_json_shape(ask) -> None:
    data = ask("E01", "member_metrics", {"metrics": ["复购率"]}).as_json()
    assert set(data) == {"name", "args", "ok", "error", "result"}
    assert data["ok"] is True and data["result"]["rows"][0]["key"] == "repurchase_rate"

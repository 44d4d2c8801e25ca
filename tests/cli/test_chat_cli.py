"""`copilot ask` and `copilot chat`: the agent from the terminal."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from copilot.cli.main import app, build_app
from tests.tools import chain

runner = CliRunner()
DAY = ["--today", chain.TODAY.isoformat()]


def _ask(*args: str):
    return runner.invoke(app, ["ask", *args, *DAY])


def test_ask_json_is_exactly_the_contract(chain_store) -> None:
    result = _ask("朝阳店上个月复购率多少", "--as", "E03", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["answer", "tool_calls", "citations", "pending_action"]
    [call] = data["tool_calls"]
    assert call == {"name": "member_metrics", "ok": True, "error": None,
                    "args": {"store": "S001", "period": "上个月",
                             "metrics": ["repurchase_rate"], "compare": []}}
    assert "复购率" in data["answer"] and data["pending_action"] is None


def test_thread_continues_a_conversation_across_calls(chain_store) -> None:
    first = _ask("朝阳店上个月复购率", "--as", "E03", "--thread", "t9", "--json")
    again = _ask("那区域平均呢?", "--as", "E03", "--thread", "t9", "--json")
    fresh = _ask("那区域平均呢?", "--as", "E03", "--json")
    assert first.exit_code == again.exit_code == fresh.exit_code == 0
    assert json.loads(again.output)["tool_calls"][0]["args"]["compare"] == ["region"]
    assert json.loads(fresh.output)["tool_calls"] == []


def test_pending_action_is_in_the_json(chain_store) -> None:
    _ask("朝阳店 金卡 存成 金卡组", "--as", "E03", "--thread", "d1")
    pending = json.loads(_ask("删除分组 金卡组", "--as", "E03", "--thread", "d1",
                              "--json").output)["pending_action"]
    assert pending["name"] == "delete_segment" and pending["args"] == {"segment": "金卡组"}
    assert pending["requested_by"] == "E03"


def test_ask_shows_tables_and_sources_in_text_mode(chain_store) -> None:
    metrics = _ask("朝阳店上个月复购率 跟区域比", "--as", "E03")
    assert metrics.exit_code == 0 and "指标" in metrics.output and "华北" in metrics.output
    book = _ask("沉睡会员怎么激活", "--as", "E07")
    assert book.exit_code == 0 and "出处" in book.output


def test_ask_errors_exit_2_in_chinese(chain_store) -> None:
    unknown = _ask("你好", "--as", "E99")
    assert unknown.exit_code == 2 and "找不到员工编号" in unknown.output
    empty = _ask("   ", "--as", "E03")
    assert empty.exit_code == 2 and "消息是空的" in empty.output
    bad_day = runner.invoke(app, ["ask", "你好", "--as", "E03", "--today", "2026-13-01"])
    assert bad_day.exit_code == 2


def test_chat_holds_a_conversation_until_exit(chain_store) -> None:
    lines = "朝阳店上个月复购率多少\n那区域平均呢?\n\n退出\n"
    result = runner.invoke(app, ["chat", "--as", "E03", *DAY], input=lines)
    assert result.exit_code == 0, result.output
    assert result.output.count("复购率") >= 2 and "华北区门店合计" in result.output


def test_chat_reports_a_bad_message_and_goes_on(chain_store) -> None:
    lines = "复购率" * 1000 + "\n朝阳店上个月复购率多少\n"  # then end of input
    result = runner.invoke(app, ["chat", "--as", "E03", *DAY], input=lines)
    assert result.exit_code == 0 and "消息太长" in result.output
    assert "北京朝阳大悦城店" in result.output.split("消息太长")[1]  # the next one answered


def test_only_the_named_command_is_loaded() -> None:
    app_one = build_app(["ask"])
    names = {c.name for c in app_one.registered_commands}
    assert names == {"ask"}


def test_masked_values_print_as_they_are(chain_store) -> None:
    result = _ask("查一下尾号1234的会员", "--as", "E01")
    assert result.exit_code == 0 and "138****1234" in result.output  # not Markdown emphasis


def test_chat_with_an_unknown_staff_id_stops_at_once(chain_store) -> None:
    result = runner.invoke(app, ["chat", "--as", "E99", *DAY], input="你好\n")
    assert result.exit_code == 2 and "找不到员工编号" in result.output


def test_markup_in_user_input_is_printed_not_interpreted(chain_store) -> None:
    result = _ask("你好", "--as", "[/bold]")
    assert result.exit_code == 2 and "[/bold]" in result.output

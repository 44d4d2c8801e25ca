"""`copilot tool`: any tool as any user from the terminal."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from copilot.cli.main import app
from tests.tools import chain

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, ["tool", *args, "--today", chain.TODAY.isoformat()])


def test_tool_json_and_text(chain_store) -> None:
    result = _run("query_members", "--as", "E01", "--args", '{"member_id": "M01"}', "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ok"] and data["result"]["members"][0]["phone"] == "138****1234"
    direct = _run("query_members", "--as", "e01", "--args", '{"member_id": "M01"}', "--direct")
    assert direct.exit_code == 0 and "13812341234" in direct.output


def test_tool_errors_exit_2_with_a_message(chain_store) -> None:
    refused = _run("member_metrics", "--as", "E01", "--args", '{"store": "S002"}')
    assert refused.exit_code == 2 and "没有查看 北京西单大悦城店(S002) 的权限" in refused.output
    unknown_user = _run("member_metrics", "--as", "E99")
    assert unknown_user.exit_code == 2 and "找不到员工编号" in unknown_user.output
    bad_json = _run("member_metrics", "--as", "E01", "--args", "{store: 1}")
    assert bad_json.exit_code == 2 and "参数不是合法的 JSON" in bad_json.output
    bad_day = runner.invoke(app, ["tool", "member_metrics", "--as", "E01", "--today", "2026-02-30"])
    assert bad_day.exit_code == 2 and "今天 2026-02-30 不存在" in bad_day.output


def test_tools_lists_every_tool() -> None:
    result = runner.invoke(app, ["tools"])
    assert result.exit_code == 0
    for name in ("query_members", "member_metrics", "build_segment", "followup_list",
                 "diagnose_store", "region_overview"):
        assert name in result.output

"""`copilot campaign`: the same tools and checks as in chat, from the terminal."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from copilot.campaigns import store
from copilot.cli.main import build_app
from copilot.config import Settings
from copilot.state.db import StateStore
from tests.tools.fixtures import make_ctx
from tools.runner import run_tool

runner = CliRunner()
app = build_app(["campaign"])
TEXT = "【朝阳店】周六会员日满500减80,到店出示会员码。回T退订"


def _segment(settings: Settings, chain_store) -> None:
    assert run_tool(make_ctx(settings, chain_store, "E03"), "build_segment",
                    {"tiers": ["金卡", "银卡"], "save_as": "金银卡"}).ok


def _schedule(*extra: str) -> str:
    got = runner.invoke(app, ["campaign", "schedule", "--as", "E03", "--segment", "金银卡",
                              "--text", TEXT, "--channel", "sms", "--at", "周六上午10点",
                              *extra])
    assert got.exit_code == 0, got.output
    return re.search(r"编号 ([0-9a-f]{10})", got.output).group(1)


def test_schedule_confirm_show_list_and_cancel(settings: Settings, chain_store) -> None:
    _segment(settings, chain_store)
    campaign_id = _schedule()
    state = StateStore.from_settings(settings)
    assert store.get(state, campaign_id).state == "pending_confirmation"
    # the person typing is asked once; "n" changes nothing
    no = runner.invoke(app, ["campaign", "confirm", campaign_id, "--as", "E03"], input="n\n")
    assert no.exit_code == 2 and "没有做任何改动" in no.output
    assert store.get(state, campaign_id).state == "pending_confirmation"
    yes = runner.invoke(app, ["campaign", "confirm", campaign_id, "--as", "E03", "--yes"])
    assert yes.exit_code == 0 and "已排期" in yes.output, yes.output
    shown = runner.invoke(app, ["campaign", "show", campaign_id, "--as", "E03"])
    assert "已排期" in shown.output and "待发送 2" in shown.output and "确认" in shown.output
    listed = runner.invoke(app, ["campaign", "list", "--as", "E05"])  # 华北's supervisor
    assert campaign_id in listed.output
    other = runner.invoke(app, ["campaign", "show", campaign_id, "--as", "E08"])  # 华南
    assert other.exit_code == 2 and "找不到你能查看的活动" in other.output
    gone = runner.invoke(app, ["campaign", "cancel", campaign_id, "--as", "E03", "--yes"])
    assert gone.exit_code == 0 and store.get(state, campaign_id).state == "cancelled"


def test_approval_from_the_terminal(settings: Settings, chain_store, monkeypatch) -> None:
    monkeypatch.setenv("COPILOT_CAMPAIGN_APPROVAL_AUDIENCE", "1")
    _segment(settings, chain_store)
    campaign_id = _schedule()
    runner.invoke(app, ["campaign", "confirm", campaign_id, "--as", "E03", "--yes"])
    state = StateStore.from_settings(settings)
    assert store.get(state, campaign_id).state == "pending_approval"
    own = runner.invoke(app, ["campaign", "approve", campaign_id, "--as", "E03", "--yes"])
    assert own.exit_code == 2 and "不能审批自己" in own.output
    waiting = runner.invoke(app, ["campaign", "list", "--awaiting", "--as", "E05"])
    assert "等你审批" in waiting.output and campaign_id in waiting.output
    ok = runner.invoke(app, ["campaign", "approve", campaign_id, "--as", "E05", "--yes",
                             "--note", "可以"])
    assert ok.exit_code == 0 and store.get(state, campaign_id).state == "scheduled"
    again = runner.invoke(app, ["campaign", "approve", campaign_id, "--as", "E05", "--yes"])
    assert again.exit_code == 2 and "已排期" in again.output


def test_bad_input_is_explained(settings: Settings, chain_store, tmp_path) -> None:
    _segment(settings, chain_store)
    both = runner.invoke(app, ["campaign", "schedule", "--as", "E03", "--segment", "金银卡"])
    assert both.exit_code == 2 and "--text 或 --file" in both.output
    missing = runner.invoke(app, ["campaign", "schedule", "--as", "E03", "--segment", "金银卡",
                                  "--file", str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2 and "读不了文件" in missing.output
    past = runner.invoke(app, ["campaign", "schedule", "--as", "E03", "--segment", "金银卡",
                               "--text", TEXT, "--channel", "sms", "--at", "2020-01-01 10:00"])
    assert past.exit_code == 2 and "已经过去" in past.output
    unknown = runner.invoke(app, ["campaign", "show", "ffffffffff", "--as", "E03"])
    assert unknown.exit_code == 2 and "找不到" in unknown.output
    review = runner.invoke(app, ["campaign", "review", _schedule(), "--as", "E03"])
    assert review.exit_code == 2, review.output

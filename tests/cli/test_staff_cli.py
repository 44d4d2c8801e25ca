"""`copilot staff`: link platform users, list links, issue and revoke console tokens."""

from __future__ import annotations

from typer.testing import CliRunner

from copilot.channels import identity
from copilot.cli.main import build_app
from copilot.config import Settings
from copilot.state.db import StateStore

runner = CliRunner()
app = build_app(["staff"])


def test_link_list_unlink(settings: Settings, chain_store) -> None:
    got = runner.invoke(app, ["staff", "link", "wecom", "zhaomin", "e03"])
    assert got.exit_code == 0 and "wecom zhaomin → E03" in got.output
    moved = runner.invoke(app, ["staff", "link", "wecom", "zhaomin", "E05"])
    assert "→ E05(原来关联的是 E03)" in moved.output
    runner.invoke(app, ["staff", "link", "wecom", "zhaomin", "E03"])
    listed = runner.invoke(app, ["staff", "links"])
    assert "zhaomin" in listed.output and "E03" in listed.output
    assert identity.staff_for(StateStore.from_settings(settings), "wecom", "zhaomin") == "E03"
    assert "已取消关联" in runner.invoke(app, ["staff", "unlink", "wecom", "zhaomin"]).output
    assert "没有这条关联" in runner.invoke(app, ["staff", "unlink", "wecom", "zhaomin"]).output


def test_bad_links_are_explained(settings: Settings, chain_store) -> None:
    unknown = runner.invoke(app, ["staff", "link", "slack", "U1", "E99"])
    assert unknown.exit_code != 0 and "找不到员工编号" in unknown.output
    channel = runner.invoke(app, ["staff", "link", "qq", "U1", "E03"])
    assert channel.exit_code != 0 and "不认识的渠道" in channel.output


def test_a_token_is_shown_once_and_signs_in_until_revoked(settings: Settings,
                                                          chain_store) -> None:
    got = runner.invoke(app, ["staff", "token", "E05"])
    assert got.exit_code == 0
    token = next(w for w in got.output.split() if w.startswith("oc_"))
    state = StateStore.from_settings(settings)
    assert identity.staff_for_token(state, token) == "E05"
    assert "已作废 1 个令牌" in runner.invoke(app, ["staff", "revoke", "E05"]).output
    assert identity.staff_for_token(state, token) is None


def test_replace_voids_the_earlier_tokens(settings: Settings, chain_store) -> None:
    def issue(*extra: str) -> str:
        out = runner.invoke(app, ["staff", "token", "E05", *extra]).output
        return next(w for w in out.split() if w.startswith("oc_"))

    state = StateStore.from_settings(settings)
    first, second = issue(), issue()
    third = issue("--replace")
    assert [identity.staff_for_token(state, t) for t in (first, second, third)] == [
        None, None, "E05"]

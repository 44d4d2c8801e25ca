"""`copilot wecom post` through the group robot, against the local WeCom API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from copilot.cli.main import build_app
from tests.support.wecom_api import WeComServer

runner = CliRunner()
app = build_app(["wecom"])


@pytest.fixture
def robot(monkeypatch: pytest.MonkeyPatch) -> Iterator[WeComServer]:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)
    with WeComServer() as server:
        monkeypatch.setenv("COPILOT_WECOM_WEBHOOK_URL", server.webhook_url)
        yield server


def test_post_text_and_file(robot: WeComServer, tmp_path) -> None:
    got = runner.invoke(app, ["wecom", "post", "**周末会员日** 全场 9 折"])
    assert got.exit_code == 0 and "1 条消息" in got.output
    draft = tmp_path / "draft.md"
    draft.write_text("\n".join(f"第{i}段:" + "会员日福利" * 40 for i in range(12)), "utf-8")
    long = runner.invoke(app, ["wecom", "post", "--file", str(draft)])
    assert long.exit_code == 0
    posts = robot.robot_posts
    assert posts[0]["markdown"]["content"] == "**周末会员日** 全场 9 折"
    assert len(posts) > 2 and all(len(p["markdown"]["content"].encode()) <= 4096
                                  for p in posts[1:])


def test_bad_input_is_explained(robot: WeComServer, tmp_path, monkeypatch) -> None:
    both = runner.invoke(app, ["wecom", "post", "x", "--file", str(tmp_path / "a.md")])
    assert both.exit_code != 0 and "二选一" in both.output
    missing = runner.invoke(app, ["wecom", "post", "--file", str(tmp_path / "none.md")])
    assert missing.exit_code != 0 and "读不了文件" in missing.output
    monkeypatch.delenv("COPILOT_WECOM_WEBHOOK_URL")
    unset = runner.invoke(app, ["wecom", "post", "你好"])
    assert unset.exit_code != 0 and "COPILOT_WECOM_WEBHOOK_URL" in unset.output
    assert robot.robot_posts == []

"""`copilot practice score`: text, JSON and the exit code on bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from copilot.cli.practice import app

GOOD = """customer: 喂,哪位?
trainee: 王姐您好,我是朝阳大悦城店的小李。
trainee: 您上次来挑的那件通勤外套还合身吗?
trainee: 这周六是会员日,满500减80,还有小样。
trainee: 天凉了,您这季通勤想添点什么?
customer: 周六下午吧。
trainee: 那我周六下午两点帮您留好几件,谢谢您,周六见!
"""


def test_score_text(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(app, ["score", "--scenario", "phone_invitation",
                                      "--transcript", str(tmp_path / "t.txt")])
    assert result.exit_code == 0, result.output
    assert "得分 100/100 · 通过" in result.output and "✓" in result.output


def test_score_json(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("trainee: 我保证是最低价\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["score", "--scenario", "phone_invitation",
                                      "--transcript", str(tmp_path / "t.txt"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["passed"] is False and data["scenario"] == "phone_invitation"
    bad = {c["id"]: c for c in data["checks"]}["no_overpromise"]
    assert bad["evidence"] == "我保证是最低价" and bad["better"]


def test_bad_input_exits_2_in_chinese(tmp_path: Path) -> None:
    (tmp_path / "t.txt").write_text("trainee: 您好\n随便说说\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["score", "--scenario", "phone_invitation",
                                 "--transcript", str(tmp_path / "t.txt")])
    assert result.exit_code == 2 and "第 2 行" in result.output
    result = runner.invoke(app, ["score", "--scenario", "nope",
                                 "--transcript", str(tmp_path / "t.txt")])
    assert result.exit_code == 2 and "phone_invitation" in result.output

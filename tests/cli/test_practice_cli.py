"""`copilot practice`: a session typed in the terminal, scored at "结束", in progress."""

from __future__ import annotations

from typer.testing import CliRunner

from copilot.cli.main import build_app

runner = CliRunner()
app = build_app(["practice"])
LINES = "\n".join(["王姐您好,我是朝阳大悦城店的小李,之前帮您挑过通勤外套。",
                   "这周六是会员日,金卡满500减80,到店还能领护理小样。",
                   "天凉了,您这季通勤想添点什么?",
                   "那我周六下午两点帮您把新款先留好,您到了直接试?",
                   "好的,谢谢您,周六见!", "结束"]) + "\n"


def test_a_terminal_session_scores_and_counts(settings, chain_store) -> None:
    got = runner.invoke(app, ["practice", "--scenario", "phone_invitation", "--persona",
                              "busy_office_worker", "--seed", "3", "--as", "E07"], input=LINES)
    assert got.exit_code == 0, got.output
    assert "顾客:喂,哪位?" in got.output and got.output.count("顾客:") >= 6
    assert "得分 100/100 · 通过" in got.output
    progress = runner.invoke(app, ["practice", "progress", "--as", "E07"])
    assert "邀约:练了 1 次,及格 1 次,最好 100 分" in progress.output
    listed = runner.invoke(app, ["practice", "scenarios"])
    assert "phone_invitation" in listed.output and "busy_office_worker" in listed.output


def test_end_of_input_scores_too_and_bad_ids_are_explained(settings, chain_store) -> None:
    got = runner.invoke(app, ["practice", "--scenario", "complaint", "--as", "E07"],
                        input="您好,不好意思让您久等了\n")
    assert got.exit_code == 0 and "得分" in got.output
    bad = runner.invoke(app, ["practice", "--scenario", "nope", "--as", "E07"])
    assert bad.exit_code == 2 and "没有练习场景" in bad.output

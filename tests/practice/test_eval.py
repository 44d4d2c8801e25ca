"""The practice eval runner on a temp folder: bands, ranking, missing files."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.errors import UserError
from copilot.practice.scenarios import load_folder
from evals.practice.run import run_practice_eval

TRANSCRIPTS = {
    "strong": "trainee: 您好\ntrainee: 您想看点什么?\n",  # 100
    "average": "trainee: 您好\n",  # 67
    "weak": "trainee: 您好,我保证\n",  # 33
}
BANDS = "[tiny]\nstrong = [80, 100]\naverage = [50, 79]\nweak = [0, 49]\n"


def _root(tmp_path: Path, transcripts: dict[str, str], bands: str = BANDS) -> Path:
    root = tmp_path / "eval"
    (root / "transcripts" / "tiny").mkdir(parents=True)
    for level, text in transcripts.items():
        (root / "transcripts" / "tiny" / f"{level}.txt").write_text(text, encoding="utf-8")
    (root / "bands.toml").write_text(bands, encoding="utf-8")
    return root


def test_scores_in_bands_and_ranked(tmp_path: Path, tiny_folder: Path) -> None:
    report = run_practice_eval(_root(tmp_path, TRANSCRIPTS), load_folder(tiny_folder))
    (row,) = report.rows
    assert row.scores == {"strong": 100, "average": 67, "weak": 33}
    assert row.in_bands and row.ranked and report.ok


def test_out_of_band_and_misranked_fail(tmp_path: Path, tiny_folder: Path) -> None:
    swapped = {**TRANSCRIPTS, "average": TRANSCRIPTS["weak"], "weak": TRANSCRIPTS["average"]}
    report = run_practice_eval(_root(tmp_path, swapped), load_folder(tiny_folder))
    (row,) = report.rows
    assert not row.in_bands and not row.ranked and not report.ok


def test_missing_transcript_or_band_fails(tmp_path: Path, tiny_folder: Path) -> None:
    partial = {k: v for k, v in TRANSCRIPTS.items() if k != "weak"}
    report = run_practice_eval(_root(tmp_path, partial), load_folder(tiny_folder))
    assert not report.ok and "weak.txt" in report.rows[0].problems[0]
    report = run_practice_eval(_root(tmp_path / "b", TRANSCRIPTS, "[other]\nstrong = [0, 1]\n"),
                               load_folder(tiny_folder))
    assert not report.ok and report.problems and report.rows[0].problems


def test_bad_transcript_is_a_failure_not_a_crash(tmp_path: Path, tiny_folder: Path) -> None:
    report = run_practice_eval(_root(tmp_path, {**TRANSCRIPTS, "weak": "oops\n"}),
                               load_folder(tiny_folder))
    assert not report.ok and "第 1 行" in report.rows[0].problems[0]


def test_malformed_band_is_a_user_error(tmp_path: Path, tiny_folder: Path) -> None:
    with pytest.raises(UserError, match="strong"):
        run_practice_eval(_root(tmp_path, TRANSCRIPTS, "[tiny]\nstrong = [90, 10]\n"),
                          load_folder(tiny_folder))


def test_cli_prints_a_table_and_exits_1_when_not_ok(
    tmp_path: Path, tiny_folder: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    import evals.practice.run as run
    from copilot.cli.evals import app

    found = load_folder(tiny_folder)
    monkeypatch.setattr(run, "scenarios", lambda: found)
    monkeypatch.setattr(run, "_root", lambda: _root(tmp_path, TRANSCRIPTS))
    result = CliRunner().invoke(app, ["practice"])
    assert result.exit_code == 0, result.output
    assert "tiny" in result.output and "100" in result.output
    monkeypatch.setattr(run, "_root", lambda: _root(tmp_path / "b", {"strong": "trainee: 嗯\n"}))
    result = CliRunner().invoke(app, ["practice"])
    assert result.exit_code == 1 and "average.txt" in result.output


def test_the_shipped_transcripts_rank_as_written() -> None:
    """The practice eval on what ships: every scenario has strong, average and weak
    transcripts, each scores inside its band, and strong > average > weak."""
    report = run_practice_eval()
    assert len(report.rows) >= 8
    assert report.ok, [(r.scenario, r.scores) for r in report.rows if not r.ok]

"""`copilot kb index|search` and `copilot eval retrieval` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.cli.main import app

runner = CliRunner()


@pytest.fixture
def own_playbooks(playbook_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COPILOT_PLAYBOOKS_DIR", str(playbook_dir))
    return playbook_dir


def test_index_then_search_json(own_playbooks: Path) -> None:
    first = runner.invoke(app, ["kb", "index"])
    assert first.exit_code == 0, first.output
    assert "新增 3" in first.output
    again = runner.invoke(app, ["kb", "index"])
    assert "未变 3" in again.output and "写入 0 个片段" in again.output
    result = runner.invoke(app, ["kb", "search", "生日送什么礼物", "--k", "2", "--json"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert len(hits) == 2
    assert set(hits[0]) == {"playbook", "title", "section", "score", "text"}
    assert hits[0]["playbook"] == "birthday" and hits[0]["title"] == "生日关怀"


def test_search_table_shows_citation(own_playbooks: Path) -> None:
    runner.invoke(app, ["kb", "index"])
    result = runner.invoke(app, ["kb", "search", "沉睡会员怎么激活"])
    assert result.exit_code == 0, result.output
    assert "沉睡会员激活" in result.output and "sleeping" in result.output


def test_search_before_index_and_bad_playbook(own_playbooks: Path) -> None:
    empty = runner.invoke(app, ["kb", "search", "生日"])
    assert empty.exit_code == 2 and "kb index" in empty.output
    (own_playbooks / "broken.md").write_text("没有 front matter", encoding="utf-8")
    bad = runner.invoke(app, ["kb", "index"])
    assert bad.exit_code == 2 and "broken.md" in bad.output and "索引未更新" in bad.output


def test_eval_retrieval_prints_all_rankers() -> None:
    result = runner.invoke(app, ["eval", "retrieval"])
    assert result.exit_code == 0, result.output
    for name in ("hybrid", "lexical only", "dense only", "plain BM25", "recall@5", "MRR"):
        assert name in result.output

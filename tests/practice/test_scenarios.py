"""Scenario files: the shipped ones validate; a broken one says which file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.errors import UserError
from copilot.practice import scenarios
from copilot.practice.scenarios import load_folder, shipped_folder
from tests.practice.conftest import TINY


def test_every_shipped_scenario_validates() -> None:
    files = sorted(f.name for f in shipped_folder().iterdir() if f.name.endswith(".toml"))
    loaded = load_folder(shipped_folder())
    assert "phone_invitation" in loaded
    assert sorted(f"{sid}.toml" for sid in loaded) == files
    for s in loaded.values():
        assert s.checks and all(c.regexes() for c in s.checks)


def test_scenarios_are_cached_and_get_finds_one() -> None:
    assert scenarios.scenarios() is scenarios.scenarios()
    assert scenarios.get("phone_invitation").title


def test_unknown_id_lists_the_ids() -> None:
    with pytest.raises(UserError) as err:
        scenarios.get("nope")
    assert "nope" in err.value.zh and "phone_invitation" in err.value.zh


def test_get_from_a_given_folder(tiny_folder: Path) -> None:
    found = load_folder(tiny_folder)
    assert scenarios.get("tiny", found).checks[1].kind == "asked"


@pytest.mark.parametrize(("old", "new", "words"), [
    ("patterns = ['您好']", "patterns = ['(您好']", ["checks.0.patterns", "正则"]),
    ('kind = "asked"', 'kind = "ask"', ["checks.1.kind", "said、not_said 或 asked"]),
    ('id = "ask_need"', 'id = "greet"', ["重复", "greet"]),
    ('goal = "请顾客周六来店。"\n', "", ["goal", "缺少"]),
    ('better = "优惠以当天为准。"', 'beter = "x"', ["checks.2"]),
    ('id = "tiny"', 'id = "other"', ["应与文件名"]),
    ('title = "小练习"', 'title = 小练习', ["不是合法的 TOML"]),
])
def test_broken_scenario_names_file_and_field(
    tmp_path: Path, old: str, new: str, words: list[str],
) -> None:
    assert old in TINY
    (tmp_path / "tiny.toml").write_text(TINY.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_folder(tmp_path)
    assert "tiny.toml" in err.value.zh
    for word in words:
        assert word in err.value.zh

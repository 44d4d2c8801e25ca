"""Practice eval: does the scorecard tell a strong trainee from an average and a weak one?

    copilot eval practice

For every scenario, transcripts/<id>/{strong,average,weak}.txt are scored; each score must
lie in its band from bands.toml (`[<id>] strong = [lo, hi]` …) and strong > average > weak.
A scenario without all three transcripts or without bands fails: a scenario nobody has
checked the checks of should not pass quietly.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from copilot.errors import UserError
from copilot.practice.scenarios import Scenario, scenarios
from copilot.practice.scoring import score
from copilot.practice.transcript import parse_transcript

LEVELS = ("strong", "average", "weak")
Band = tuple[int, int]


@dataclass
class Row:
    scenario: str
    scores: dict[str, int | None] = field(default_factory=dict)
    bands: dict[str, Band] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def in_bands(self) -> bool:
        return all(
            (s := self.scores.get(level)) is not None and level in self.bands
            and self.bands[level][0] <= s <= self.bands[level][1]
            for level in LEVELS)

    @property
    def ranked(self) -> bool:
        s = [self.scores.get(level) for level in LEVELS]
        return None not in s and s[0] > s[1] > s[2]  # type: ignore[operator]

    @property
    def ok(self) -> bool:
        return not self.problems and self.in_bands and self.ranked


@dataclass
class Report:
    rows: list[Row]
    problems: list[str] = field(default_factory=list)  # not tied to one scenario

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems and all(r.ok for r in self.rows)


def _root() -> Traversable:
    return resources.files("evals.practice")


def load_bands(path: Traversable | Path) -> dict[str, dict[str, Band]]:
    """bands.toml, checked: a malformed band is a broken eval file, not a failing score."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"找不到分数区间文件:{path}", f"Bands file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path.name} 不是合法的 TOML:{exc}",
                        f"{path.name} is not valid TOML: {exc}") from None
    out: dict[str, dict[str, Band]] = {}
    for sid, table in raw.items():
        if not isinstance(table, dict):
            raise UserError(f"{path.name}:[{sid}] 应该是一个表",
                            f"{path.name}: [{sid}] is not a table")
        out[sid] = {}
        for level, band in table.items():
            ok = (level in LEVELS and isinstance(band, list) and len(band) == 2
                  and all(isinstance(b, int) and 0 <= b <= 100 for b in band)
                  and band[0] <= band[1])
            if not ok:
                raise UserError(
                    f"{path.name}:[{sid}] {level} = {band!r} 有误,"
                    "要写成 strong/average/weak = [下限, 上限],0–100 的整数。",
                    f"{path.name}: [{sid}] {level} = {band!r} must be "
                    "strong/average/weak = [lo, hi], integers 0-100.")
            out[sid][level] = (band[0], band[1])
    return out


def _score_row(scenario: Scenario, folder: Traversable, bands: dict[str, Band]) -> Row:
    row = Row(scenario.id, bands=bands)
    for level in LEVELS:
        file = folder / scenario.id / f"{level}.txt"
        row.scores[level] = None
        if not file.is_file():
            row.problems.append(f"缺少转写 {scenario.id}/{level}.txt")
            continue
        try:
            turns = parse_transcript(file.read_text(encoding="utf-8"))
        except UserError as exc:
            row.problems.append(f"{scenario.id}/{level}.txt:{exc.zh}")
            continue
        row.scores[level] = score(scenario, turns).score
        if level not in bands:
            row.problems.append(f"bands.toml 里没有 [{scenario.id}] {level}")
    return row


def run_practice_eval(
    root: Traversable | Path | None = None,
    available: dict[str, Scenario] | None = None,
) -> Report:
    """Score every scenario's three transcripts under `root` (default: this folder)."""
    base = _root() if root is None else root
    found = scenarios() if available is None else available
    bands = load_bands(base / "bands.toml")
    rows = [_score_row(s, base / "transcripts", bands.get(sid, {})) for sid, s in found.items()]
    extra = sorted(set(bands) - set(found))
    problems = [f"bands.toml 里的 [{sid}] 没有对应的场景" for sid in extra]
    return Report(rows, problems)

"""Practice scenarios: one TOML file each under scenarios/, validated before anything scores.

Scenario files are written by people, so every mistake (a regex that does not compile, a
misspelt kind, two checks with one id, a missing field) is reported with the file and the
field, in Chinese first, instead of surfacing later as a wrong score.
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from copilot.errors import UserError

CheckKind = Literal["said", "not_said", "asked"]


class Check(BaseModel):
    """One yes/no line of the scorecard."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: CheckKind
    patterns: list[str] = Field(min_length=1)
    better: str = Field(min_length=1)

    @field_validator("patterns")
    @classmethod
    def _compile(cls, patterns: list[str]) -> list[str]:
        for i, p in enumerate(patterns):
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"第 {i + 1} 个正则表达式 {p!r} 无效:{exc}") from None
        return patterns

    def regexes(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.patterns]


class Scenario(BaseModel):
    """A role-play the trainee practises: what they are told, and how the transcript is scored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    skill: str = Field(min_length=1)
    playbook: str = Field(min_length=1)
    goal: str = Field(min_length=1)
    context: str = Field(min_length=1)
    opening: str = Field(min_length=1)
    checks: list[Check] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_check_ids(self) -> Scenario:
        seen: set[str] = set()
        for check in self.checks:
            if check.id in seen:
                raise ValueError(f"检查项 id “{check.id}” 重复")
            seen.add(check.id)
        return self


_TYPES_ZH = {
    "missing": "缺少这个字段",
    "extra_forbidden": "不认识的字段(拼错了?)",
    "literal_error": "取值只能是 said、not_said 或 asked",
    "string_too_short": "不能为空",
    "too_short": "至少要有一项",
    "string_type": "应该是文字",
    "list_type": "应该是列表",
}


def _describe(exc: ValidationError) -> tuple[str, str]:
    zh, en = [], []
    for e in exc.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(整个文件)"
        msg = e["msg"].removeprefix("Value error, ")
        zh.append(f"{where}:{_TYPES_ZH.get(e['type'], msg)}")
        en.append(f"{where}: {msg}")
    return ";".join(zh), "; ".join(en)


def load_file(path: Traversable | Path) -> Scenario:
    """Read and validate one scenario file; its `id` must match the file name."""
    name = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"场景文件 {name} 不是合法的 TOML:{exc}",
                        f"Scenario file {name} is not valid TOML: {exc}") from None
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        zh, en = _describe(exc)
        raise UserError(f"场景文件 {name} 有误:{zh}",
                        f"Scenario file {name} is invalid: {en}") from None
    stem = name.removesuffix(".toml")
    if scenario.id != stem:
        raise UserError(f"场景文件 {name} 有误:id “{scenario.id}” 应与文件名 “{stem}” 一致",
                        f"Scenario file {name}: id {scenario.id!r} must match the name {stem!r}")
    return scenario


def load_folder(folder: Traversable | Path) -> dict[str, Scenario]:
    """Every *.toml in `folder`, by id, in name order."""
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")),
                   key=lambda f: f.name)
    return {s.id: s for s in map(load_file, files)}


def shipped_folder() -> Traversable:
    # scenarios/ is a data folder, not a package (scenarios.py owns the import name).
    return resources.files("copilot.practice") / "scenarios"


@functools.cache
def scenarios() -> dict[str, Scenario]:
    """The shipped scenarios, read once per process."""
    return load_folder(shipped_folder())


def get(scenario_id: str, available: dict[str, Scenario] | None = None) -> Scenario:
    found = scenarios() if available is None else available
    if scenario_id not in found:
        ids = "、".join(found) or "(没有)"
        raise UserError(f"没有练习场景 “{scenario_id}”。可用的场景:{ids}",
                        f"No practice scenario {scenario_id!r}. Available: {', '.join(found)}")
    return found[scenario_id]

"""Agent eval cases: loaded from the YAML files under cases/dev and cases/holdout."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

TODAY = date(2026, 7, 1)  # the eval chain's data ends 2026-06-30
Part = Literal["dev", "holdout"]


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tools: list[str] | None = None
    args: dict[str, dict[str, Any]] = Field(default_factory=dict)
    facts: list[str] = Field(default_factory=list)
    ask: bool | None = None
    pending_action: bool | None = None
    refuse: bool | None = None


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    say: str
    expect: Expect = Field(default_factory=Expect)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    who: str
    channel: Literal["group", "dm"] = "group"
    today: date = TODAY
    turns: list[Turn]
    part: Part = "dev"
    file: str = ""
    note: str | None = None


def cases_root() -> Path:
    return Path(str(resources.files("evals.agent") / "cases"))


def load_cases(part: Literal["dev", "holdout", "all"] = "all",
               root: Path | None = None) -> list[Case]:
    root = root or cases_root()
    parts: list[Part] = ["dev", "holdout"] if part == "all" else [part]
    out: list[Case] = []
    for p in parts:
        for path in sorted((root / p).glob("*.yaml")):
            for raw in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
                out.append(Case(**raw, part=p, file=path.name))
    ids = [c.id for c in out]
    if len(ids) != len(set(ids)):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate case ids: {dupes}")
    return out

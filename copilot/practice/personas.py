"""The simulated customers (personas.toml): traits, a hidden stance, and how they talk.

The stance is never shown to the trainee; it decides how the customer reacts. Reply banks
give each mood several wordings, so practising twice does not read the same.
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from copilot.errors import UserError


class Persona(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    traits: list[str] = Field(min_length=1)
    stance: str = Field(min_length=1)  # hidden from the trainee
    patience: int = Field(ge=1, le=10)  # weak turns before she ends the call
    warm: list[str] = Field(min_length=1)
    neutral: list[str] = Field(min_length=1)
    pushback: list[str] = Field(min_length=1)
    objection: list[str] = Field(min_length=1)
    leave: list[str] = Field(min_length=1)
    agrees: list[str] = Field(min_length=1)

    @property
    def kind(self) -> str:
        """The kind of customer ("觉得被冷落的老会员"): the scenario names the customer, the
        persona gives her temperament, so "刘姐(…)" must not read as a second name."""
        m = re.search(r"[(\uff08](.+)[)\uff09]", self.name)
        return m.group(1) if m else self.name


@functools.cache
def personas() -> dict[str, Persona]:
    raw = (resources.files("copilot.practice") / "personas.toml").read_text("utf-8")
    try:
        found = [Persona.model_validate(p) for p in tomllib.loads(raw).get("persona", [])]
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise UserError(f"personas.toml 有误:{exc}", f"personas.toml is invalid: {exc}") from None
    return {p.id: p for p in found}


def get(persona_id: str) -> Persona:
    found = personas()
    if persona_id not in found:
        names = "、".join(f"{p.id}({p.name})" for p in found.values())
        raise UserError(f"没有顾客角色“{persona_id}”;可选:{names}。",
                        f"No persona {persona_id!r}; choose one of: {', '.join(found)}.")
    return found[persona_id]

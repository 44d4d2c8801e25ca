"""Post templates: scenes, their variations per tone and channel, and slot filling.

The words are in templates.toml. A template has slots ({store}, {offer}, {date},
{audience}, {occasion}, {brand}) and optional parts: [A] is said only when every slot in A
is given, [A|B] says A if it can and B otherwise. Filling is plain substitution, so the same
inputs always give the same text.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Tone = Literal["warm", "lively", "formal"]
TONES: tuple[str, ...] = ("warm", "lively", "formal")
TONE_ZH = {"warm": "亲切", "lively": "活泼", "formal": "正式"}
SLOTS = frozenset({"store", "offer", "date", "audience", "occasion", "brand"})
VARIANTS = 3  # variations per scene × tone (and per scene for SMS); tests hold the file to it

_OPTIONAL = re.compile(r"\[([^\[\]|]*)(?:\|([^\[\]]*))?\]")
_SLOT = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Scene:
    key: str
    zh: str
    aliases: tuple[str, ...]
    needs: tuple[str, ...]
    needs_any: tuple[str, ...]
    title: str
    occasion: str | None
    chat: dict[str, tuple[str, ...]]
    sms: tuple[str, ...]

    def variations(self, tone: str, channel: str) -> tuple[str, ...]:
        return self.sms if channel == "sms" else self.chat[tone]

    def names(self) -> tuple[str, ...]:
        return (self.key, self.zh, *self.aliases)


@cache
def scenes() -> dict[str, Scene]:
    raw = tomllib.loads((resources.files("tools.drafts") / "templates.toml")
                        .read_text(encoding="utf-8"))
    return {key: Scene(key=key, zh=s["zh"], aliases=tuple(s.get("aliases", ())),
                       needs=tuple(s.get("needs", ())),
                       needs_any=tuple(s.get("needs_any", ())), title=s["title"],
                       occasion=s.get("occasion"),
                       chat={t: tuple(s["posts"][t]) for t in TONES},
                       sms=tuple(s["posts"]["sms"]))
            for key, s in raw.items()}


def find_scene(name: str) -> str | None:
    """The scene key for a key, Chinese name or alias ("会员日" → member_day)."""
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    for scene in scenes().values():
        if key == scene.key or name.strip() in scene.names():
            return scene.key
    return None


def scene_choices() -> str:
    return "、".join(f"{s.key} {s.zh}" for s in scenes().values())


def slots_in(template: str) -> set[str]:
    return set(_SLOT.findall(template))


def required_slots(template: str) -> set[str]:
    """Slots used outside any optional part: the template cannot be said without them."""
    return slots_in(_OPTIONAL.sub("", template))


def render(template: str, values: dict[str, str | None]) -> str:
    """The template with its slots filled; optional parts kept only when they can be said."""
    given = {k: v for k, v in values.items() if v}

    def choose(m: re.Match[str]) -> str:
        for part in (m.group(1), m.group(2)):
            if part is not None and slots_in(part) <= given.keys():
                return part
        return ""

    text = _OPTIONAL.sub(choose, template)
    return _SLOT.sub(lambda m: given[m.group(1)], text)

"""What the offline model knows of words: the lexicon file, and names from the data.

Store names, regions, staff, tags and categories come from the member data, re-read when
the data version changes, so a chain's own stores and tags are understood without code.
Stores are found by their distinctive parts: "朝阳" names one store, "大悦城" four.
"""

from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

from sqlalchemy import text

from copilot.analytics.definitions import all_definitions
from copilot.analytics.scope import store_rows
from copilot.config import MetricWindows
from copilot.data.dataset import data_version
from copilot.data.store import MemberStore
from copilot.lang.stores import StoreRow, norm

_STORE_SUFFIX = re.compile(r"(?:门店|分店|店)$")


@cache
def lexicon() -> dict[str, Any]:
    raw = (resources.files("copilot.agent.offline") / "lexicon.toml").read_text("utf-8")
    return tomllib.loads(raw)


@cache
def patterns(section: str) -> dict[str, tuple[re.Pattern[str], ...]]:
    """A lexicon section as compiled patterns per key (words become literal patterns)."""
    table = lexicon()[section]
    return {k: tuple(re.compile(p) for p in v) for k, v in table.items()}


@cache
def words(section: str) -> dict[str, tuple[str, ...]]:
    return {k: tuple(w.lower() for w in v) for k, v in lexicon()[section].items()}


@cache
def metric_aliases() -> tuple[tuple[str, str], ...]:
    """(alias, metric key), longest alias first so "会员销售占比" beats "会员"."""
    pairs: set[tuple[str, str]] = set()
    for d in all_definitions(MetricWindows()):
        for name in (d.name_zh.split("(")[0], d.name_en.split(" (")[0], *d.aliases):
            if len(name) >= 2:
                pairs.add((name.lower(), d.key))
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0])))


@dataclass(frozen=True)
class Vocabulary:  # not hashed or compared: cached_property needs a writable __dict__
    stores: tuple[StoreRow, ...] = ()
    regions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    staff: dict[str, str] = field(default_factory=dict)  # name -> staff id
    # distinctive part of a store name -> store ids having it
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @cached_property
    def spoken(self) -> dict[str, str]:
        """A distinctive part in pinyin ("xidan") -> the one store it names. Built on the
        first message with Latin letters: pypinyin takes half a second to load."""
        return _spoken(self.parts)

    @classmethod
    def of(cls, stores: list[StoreRow], categories: list[str], tags: list[str],
           staff: dict[str, str]) -> Vocabulary:
        regions = tuple(sorted({s.region for s in stores if s.region}))
        return cls(tuple(stores), regions, tuple(categories), tuple(tags), staff,
                   _store_parts(stores))


def _store_parts(stores: list[StoreRow]) -> dict[str, tuple[str, ...]]:
    """Every 2–8 character run of each store's short name, with the stores that have it."""
    having: dict[str, set[str]] = defaultdict(set)
    for s in stores:
        core = _STORE_SUFFIX.sub("", norm(s.name))
        city = norm(s.city)
        short = core.removeprefix(city) if city and core != city else core
        for form in {core, short}:
            for i in range(len(form)):
                for j in range(i + 2, min(len(form), i + 8) + 1):
                    having[form[i:j]].add(s.store_id)
    return {k: tuple(sorted(v)) for k, v in having.items()}


def _spoken(parts: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Two- and three-character Chinese parts naming one store, as English speakers type
    them: 西单 -> xidan. A reading shared by two stores is dropped."""
    from pypinyin import lazy_pinyin

    having: dict[str, set[str]] = defaultdict(set)
    for part, ids in parts.items():
        if len(ids) == 1 and 2 <= len(part) <= 3 and re.fullmatch(r"[\u4e00-\u9fa5]+", part):
            having["".join(lazy_pinyin(part))].add(ids[0])
    return {k: next(iter(v)) for k, v in having.items() if len(v) == 1 and len(k) >= 5}


class VocabularySource:
    """Loads the vocabulary from member data once per data version."""

    def __init__(self, load: Callable[[], tuple[str, Vocabulary]] | None = None,
                 version: Callable[[], str] | None = None) -> None:
        self._load = load
        self._version = version
        self._cached: tuple[str, Vocabulary] | None = None

    @classmethod
    def from_store(cls, members: MemberStore) -> VocabularySource:
        def version() -> str:
            with members.read() as conn:
                return data_version(conn)

        def load() -> tuple[str, Vocabulary]:
            with members.read() as conn:
                return data_version(conn), _read(conn)
        return cls(load, version)

    def get(self) -> Vocabulary:
        if self._load is None:
            return Vocabulary()
        if self._cached is None or (self._version and self._version() != self._cached[0]):
            self._cached = self._load()
        return self._cached[1]


def _read(conn: Any) -> Vocabulary:
    cats = [r[0] for r in conn.execute(text(
        "SELECT DISTINCT category FROM products WHERE category IS NOT NULL ORDER BY 1"))]
    tags = [r[0] for r in conn.execute(text("SELECT DISTINCT tag FROM member_tags ORDER BY 1"))]
    staff = {name: sid for sid, name in conn.execute(text(
        "SELECT staff_id, name FROM staff ORDER BY staff_id"))}
    given: dict[str, list[str]] = defaultdict(list)  # "诗艳" for 黄诗艳, when only one has it
    for name, sid in staff.items():
        if len(name) == 3:
            given[name[1:]].append(sid)
    staff.update({g: ids[0] for g, ids in given.items() if len(ids) == 1 and g not in staff})
    return Vocabulary.of(store_rows(conn), cats, tags, staff)

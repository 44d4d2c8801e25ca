"""Forgiving store and region names: "S3", "三号店", "朝阳店", "coco park", "朝杨大悦城", "华北区".

Staff name stores the way they talk, so a key is tried as an id, a store number, a name,
a distinctive part of a name, and finally by character similarity. A unique answer must
be unambiguous: when several stores fit about equally well, the caller gets the
candidates to ask about instead of a guess. Pure functions over rows; no database.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Generic, Literal, TypeVar

from copilot.errors import UserError
from copilot.lang.numerals import parse_number
from copilot.lang.text import fold

T = TypeVar("T")
M = TypeVar("M", bound="Match[Any]")
Reason = Literal["id", "number", "name", "part", "sound", "similar", "ambiguous", "none"]
MAX_CANDIDATES = 5
MIN_SIMILARITY = 0.55  # weighted character overlap below this is no match at all
MIN_MARGIN = 0.12  # the best must beat the runner-up by this much to be picked alone

_PUNCT = re.compile(r"[\s·•\-_()()\[\]【】「」'\"“”‘’,,.。/]+")
_STORE_SUFFIX = re.compile(r"(?:门店|分店|专卖店|店)$")
_REGION_SUFFIX = re.compile(r"(?:大区|地区|区域|片区|区)$")
_NUMBERED = re.compile(
    r"(?:store|shop|门店|店|no|#|第|s)*(?P<n>\d+|[零〇一二两三四五六七八九十百]+)"
    r"(?:号店|号门店|号|家店|店|门店)?"
)
_ID_DIGITS = re.compile(r"[a-z]*-?0*(?P<n>\d+)")
REGIONS_EN: dict[str, str] = {
    "northchina": "华北", "north": "华北", "eastchina": "华东", "east": "华东",
    "southchina": "华南", "south": "华南", "centralchina": "华中", "central": "华中",
    "southwest": "西南", "southwestchina": "西南", "northwest": "西北",
    "northwestchina": "西北", "northeast": "东北", "northeastchina": "东北",
}


@dataclass(frozen=True)
class StoreRow:
    """The store fields matching needs (a row of the `stores` table)."""

    store_id: str
    name: str
    region: str = ""
    city: str = ""


@dataclass(frozen=True)
class Match(Generic[T]):
    """One item (`value`), or candidates best first (at most 5 of `total`), and why."""

    key: str
    value: T | None
    candidates: tuple[T, ...] = ()
    reason: Reason = "none"
    total: int = 0

    @property
    def found(self) -> bool:
        return self.value is not None

    def error(self, what_zh: str, what_en: str, show: Callable[[T], str] = str) -> UserError:
        """The question to put to the user when nothing or more than one thing fits."""
        if self.candidates:
            listed = "、".join(show(c) for c in self.candidates)
            more = f"等 {self.total} 个" if self.total > len(self.candidates) else ""
            return UserError(
                f"“{self.key}”可能是这些{what_zh}:{listed}{more},请说明是哪一个。",
                f"{self.key!r} could be any of these {what_en}s: "
                f"{', '.join(show(c) for c in self.candidates)}"
                f"{f' (of {self.total})' if more else ''}; which one?",
            )
        return UserError(f"找不到{what_zh}“{self.key}”。", f"No {what_en} matches {self.key!r}.")


@dataclass(frozen=True)
class StoreMatch(Match[StoreRow]):
    """What `match_store` found; `store` is the one store, or None (see `candidates`)."""

    @property
    def store(self) -> StoreRow | None:
        return self.value


@dataclass(frozen=True)
class RegionMatch(Match[str]):
    """What `match_region` found; `region` is the one region, or None (see `candidates`)."""

    @property
    def region(self) -> str | None:
        return self.value


def show_store(store: StoreRow) -> str:
    return f"{store.store_id} {store.name}"


def norm(text: str) -> str:
    """Lower case, no spaces or punctuation: "COCO Park" and "coco park" are the same."""
    return _PUNCT.sub("", fold(text).lower())


def match_store(key: str, stores: Sequence[StoreRow]) -> StoreMatch:
    """The store `key` names: by id, number, name, distinctive part, or close spelling."""
    k = norm(key)
    if not k:
        return StoreMatch(key, None)
    by_id = [s for s in stores if norm(s.store_id) == k]
    if len(by_id) == 1:
        return StoreMatch(key, by_id[0], reason="id")
    numbered = _NUMBERED.fullmatch(k)
    if numbered:  # a store number: "3号店", "store 3", "s03"; no such number, no store
        n = parse_number(numbered["n"])
        hits = [s for s in stores if _id_number(s.store_id) == n]
        return _one_or_many(StoreMatch, key, hits, "number") if hits else StoreMatch(key, None)
    core = _STORE_SUFFIX.sub("", k)
    forms = {s.store_id: _forms(s) for s in stores}
    exact = [s for s in stores if k in forms[s.store_id] or core in forms[s.store_id]]
    if len(exact) == 1:
        return StoreMatch(key, exact[0], reason="name")
    tiers = ((k, _substring), (core, _substring), (core, _subsequence)) if core else \
        ((k, _substring),)  # "店" alone: every store is a candidate, none is the answer
    for part, contains in tiers:
        hits = [s for s in stores if any(contains(part, f) for f in forms[s.store_id])]
        if hits:  # equally good fits; those the key covers most of first, then by id
            hits.sort(key=lambda s: (min(len(f) for f in forms[s.store_id]
                                         if contains(part, f)), s.store_id))
            return _one_or_many(StoreMatch, key, hits, "part")
    if not core:
        return StoreMatch(key, None)
    # Most typos in Chinese are the input method's: the right sound, the wrong character
    # (朝杨 for 朝阳, 国茂 for 国贸). Two or more syllables heard inside a name count.
    heard = sounds(core)
    if len(heard) >= 2:
        hits = [s for s in stores if any(_within(heard, sounds(f)) for f in forms[s.store_id])]
        if hits:
            return _one_or_many(StoreMatch, key, hits, "sound")
    weights = _char_weights(["".join(fs) for fs in forms.values()])
    scores = {s.store_id: _similarity(core, forms[s.store_id], weights) for s in stores}
    by_score = sorted(stores, key=lambda s: (-scores[s.store_id], s.store_id))
    return _by_similarity(StoreMatch, key, by_score, [scores[s.store_id] for s in by_score])


def match_region(key: str, regions: Sequence[str]) -> RegionMatch:
    """The region `key` names: "华北", "华北区", "华北大区", "north china" -> 华北."""
    k = norm(key)
    core = _REGION_SUFFIX.sub("", k)
    if not core:
        return RegionMatch(key, None)
    cores = {r: _REGION_SUFFIX.sub("", norm(r)) for r in regions}
    translated = REGIONS_EN.get(core.removesuffix("region"), core)
    exact = [r for r in regions if cores[r] in (core, translated) or norm(r) == k]
    if len(exact) == 1:
        return RegionMatch(key, exact[0], reason="name")
    hits = [r for r in regions if core in cores[r]]
    if hits:
        return _one_or_many(RegionMatch, key, hits, "part")
    return RegionMatch(key, None)  # no spelling guesses: "西北" is one character from "华北"


def _one_or_many(kind: type[M], key: str, hits: Sequence[Any], reason: Reason) -> M:
    if len(hits) == 1:
        return kind(key, hits[0], reason=reason)
    return kind(key, None, tuple(hits[:MAX_CANDIDATES]), "ambiguous", len(hits))


def _by_similarity(kind: type[M], key: str, ranked: Sequence[Any], scores: list[float]) -> M:
    """Pick the best only when it is close enough and clearly ahead of the runner-up."""
    close = [(item, s) for item, s in zip(ranked, scores, strict=True) if s >= MIN_SIMILARITY]
    if not close:
        return kind(key, None)
    best = close[0][1]
    if len(close) == 1 or best - close[1][1] >= MIN_MARGIN:
        return kind(key, close[0][0], reason="similar")
    tied = [item for item, s in close if best - s < MIN_MARGIN]
    return kind(key, None, tuple(tied[:MAX_CANDIDATES]), "ambiguous", len(tied))


def _id_number(store_id: str) -> int | None:
    m = _ID_DIGITS.fullmatch(norm(store_id))
    return int(m["n"]) if m else None


def _forms(store: StoreRow) -> tuple[str, ...]:
    """(name without 店, that without the city in front, full name), without repeats."""
    full = norm(store.name)
    core = _STORE_SUFFIX.sub("", full)
    city = norm(store.city)
    short = core.removeprefix(city) if city and core != city else core
    return tuple(dict.fromkeys((core, short, full)))


@functools.lru_cache(maxsize=4096)
def sounds(text: str) -> tuple[frozenset[str], ...]:
    """Every toneless reading of each character (朝: zhao, chao); anything not Chinese
    stays as it is."""
    from pypinyin import Style, pinyin  # its dictionary loads on first use, not at import

    return tuple(frozenset(r) for r in pinyin(text, style=Style.NORMAL, heteronym=True,
                                              errors=lambda rest: [[c] for c in rest]))


def _within(part: tuple[frozenset[str], ...], whole: tuple[frozenset[str], ...]) -> bool:
    """`part` sounds like a run of `whole`: each character shares a reading with its peer."""
    n = len(part)
    return any(all(a & b for a, b in zip(part, whole[i:i + n], strict=True))
               for i in range(len(whole) - n + 1))


def _substring(part: str, form: str) -> bool:
    return part in form


def _subsequence(part: str, form: str) -> bool:
    """Every character of `part` in order ("天津大悦城" in "天津和平大悦城"), two or more."""
    chars = iter(form)
    return len(part) >= 2 and all(c in chars for c in part)


def _char_weights(names: Iterable[str]) -> dict[str, float]:
    """Rarer characters count more: "朝" tells stores apart, "城" and "店" hardly do."""
    docs = [set(name) for name in names]
    df = Counter(c for d in docs for c in d)
    return {c: math.log(1 + len(docs) / n) for c, n in df.items()}


def _similarity(k: str, forms: Sequence[str], weights: dict[str, float]) -> float:
    """Weighted Dice over the characters the key and a form share in order (difflib)."""
    if not k:
        return 0.0
    unknown = max(weights.values(), default=1.0)  # a character no name has (a typo)
    best = 0.0
    for form in forms:
        blocks = SequenceMatcher(None, k, form, autojunk=False).get_matching_blocks()
        shared = sum(weights.get(c, unknown) for b in blocks for c in k[b.a:b.a + b.size])
        total = sum(weights.get(c, unknown) for c in k) + sum(weights.get(c, unknown)
                                                              for c in form)
        best = max(best, 2 * shared / total if total else 0.0)
    return best

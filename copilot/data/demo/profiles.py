"""Member tags and staff notes: what the staff have learnt about each member.

Staff learn more about members they see often, so the number of tags grows with the number
of purchases (and is lower for members nobody looks after). Which tags: a weighted draw of
tag groups without replacement (exponential races, six argmins over a members x groups
matrix), then one tag per group, by chance or by what the member really does (average
ticket, online orders, weekend shopping) where the vocabulary says `follows`. Everything is
vectorised: the 1 M-member bench set costs about a second.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from copilot.data.demo.calendar import Calendar
from copilot.data.demo.members import Cohort
from copilot.data.demo.purchases import CHANNELS, Tickets

MAX_TAGS = 6
TAGS_BASE = 0.35  # expected tags of a member who never bought, when looked after
UNOWNED_FACTOR = 0.5  # members without an owning staff member get half as many
WECOM_FACTOR = 1.2  # WeCom friends chat with staff, who learn a little more
BUILD_P = (0.3, 0.5, 0.2)  # slim, standard, curvy
LOW_TICKET, HIGH_TICKET = 0.35, 0.75  # average-ticket rank among buyers
WEEKEND_SHARE = 0.5
TAG_NOTE_SHARE = 0.5  # of noted members holding a tag with notes of its own
SIGNALS = ("build", "ticket", "online", "weekend")
_ONLINE = [CHANNELS.index("miniapp"), CHANNELS.index("live")]


@dataclass(frozen=True)
class Vocabulary:
    """The tag groups of tags.toml, flattened into arrays."""

    tags: np.ndarray  # tag text, grouped: group g owns tags[offset[g]:offset[g] + size[g]]
    dimensions: np.ndarray  # dimension of each tag
    weight: np.ndarray  # per group
    offset: np.ndarray
    size: np.ndarray
    follows: np.ndarray  # per group: index into SIGNALS, -1 = chance
    note_share: float
    notes: tuple[str, ...]
    tag_notes: dict[str, tuple[str, ...]]


@functools.cache
def vocabulary() -> Vocabulary:
    data = tomllib.loads(
        (resources.files("copilot.data.demo") / "tags.toml").read_text(encoding="utf-8"))
    tags: list[str] = []
    dims: list[str] = []
    weight, offset, size, follows = [], [], [], []
    for dimension, groups in data["dimensions"].items():
        for group in groups:
            offset.append(len(tags))
            size.append(len(group["tags"]))
            weight.append(float(group["weight"]))
            follows.append(SIGNALS.index(group["follows"]) if "follows" in group else -1)
            tags += group["tags"]
            dims += [dimension] * len(group["tags"])
    notes = data["notes"]
    return Vocabulary(
        np.array(tags, dtype=object), np.array(dims, dtype=object), np.array(weight),
        np.array(offset), np.array(size), np.array(follows), float(notes["share"]),
        tuple(notes["any"]), {k: tuple(v) for k, v in notes["by_tag"].items()})


def _signals(
    rng: np.random.Generator, cohort: Cohort, tickets: Tickets, cents: np.ndarray,
    cal: Calendar,
) -> tuple[np.ndarray, np.ndarray]:
    """(SIGNALS x members) alternative index, -1 where the member does not qualify; and
    each member's number of purchases."""
    n = len(cohort)
    mine = tickets.member >= 0
    member = tickets.member[mine]
    purchases = np.bincount(member, minlength=n)
    bought = purchases > 0
    spend = np.bincount(member, weights=cents[mine], minlength=n)
    avg = np.where(bought, spend / np.maximum(purchases, 1), np.nan)
    rank = pd.Series(avg).rank(pct=True).to_numpy()
    ticket = np.where(rank < LOW_TICKET, 0, np.where(rank >= HIGH_TICKET, 1, -1))
    online = np.bincount(member, weights=np.isin(tickets.channel[mine], _ONLINE), minlength=n)
    weekday = (cal.dates[tickets.day[mine]].astype(np.int64) + 3) % 7  # Monday = 0
    weekend = np.bincount(member, weights=weekday >= 5, minlength=n)
    build = rng.choice(len(BUILD_P), n, p=BUILD_P)
    return np.stack([
        build,
        np.where(bought, ticket, -1),
        np.where(online > 0, 0, -1),
        np.where((purchases >= 2) & (weekend >= WEEKEND_SHARE * purchases), 0, -1),
    ]), purchases


def _pick_groups(
    rng: np.random.Generator, count: np.ndarray, eligible: np.ndarray, weight: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(member, group) pairs: `count` groups per member, weighted, without replacement.

    Exponential races: each group's arrival time is Exp(1) / weight, the first `count`
    arrivals win, which is a weighted draw without replacement.
    """
    rows = np.flatnonzero(count > 0)
    keys = rng.exponential(size=(len(rows), len(weight))).astype(np.float32)
    keys /= weight.astype(np.float32)
    keys[~eligible[:, rows].T] = np.inf
    at = np.arange(len(rows))
    members, groups = [], []
    for j in range(int(count.max(initial=0))):
        g = keys.argmin(axis=1)
        won = (count[rows] > j) & np.isfinite(keys[at, g])
        members.append(rows[won])
        groups.append(g[won])
        keys[at, g] = np.inf
    if not members:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(members), np.concatenate(groups)


def _notes(
    rng: np.random.Generator, vocab: Vocabulary, owned: np.ndarray, member: np.ndarray,
    tag: np.ndarray,
) -> np.ndarray:
    """A short note for about `note_share` of the members with an owning staff member."""
    n = len(owned)
    out = np.full(n, None, dtype=object)
    noted = owned & (rng.random(n) < vocab.note_share)
    todo = noted.copy()
    tag_text = vocab.tags[tag]
    for name, texts in vocab.tag_notes.items():
        holders = np.zeros(n, dtype=bool)
        holders[member[tag_text == name]] = True
        chosen = np.flatnonzero(todo & holders & (rng.random(n) < TAG_NOTE_SHARE))
        out[chosen] = np.array(texts, dtype=object)[rng.integers(0, len(texts), len(chosen))]
        todo[chosen] = False
    rest = np.flatnonzero(todo)
    out[rest] = np.array(vocab.notes, dtype=object)[rng.integers(0, len(vocab.notes), len(rest))]
    return out


@dataclass(frozen=True)
class Profiles:
    """Tags as (member row, tag row) pairs in member order, and a note per member."""

    member: np.ndarray
    tag: np.ndarray
    notes: np.ndarray

    def tags_frame(self, member_ids: np.ndarray) -> pd.DataFrame:
        """The member_tags table (member_id, dimension, tag)."""
        vocab = vocabulary()
        return pd.DataFrame({"member_id": member_ids[self.member],
                             "dimension": vocab.dimensions[self.tag],
                             "tag": vocab.tags[self.tag]})


def make_profiles(
    rng: np.random.Generator, cohort: Cohort, tickets: Tickets, cents: np.ndarray,
    cal: Calendar,
) -> Profiles:
    """Tags (0–6 per member, more for frequent buyers) and notes, from the `tags` stream."""
    vocab = vocabulary()
    signals, purchases = _signals(rng, cohort, tickets, cents, cal)
    owned = cohort.owner >= 0
    lam = (TAGS_BASE + np.log1p(purchases)) * np.where(owned, 1.0, UNOWNED_FACTOR)
    lam *= np.where(cohort.wecom, WECOM_FACTOR, 1.0)
    count = np.minimum(rng.poisson(lam), MAX_TAGS)
    follows = vocab.follows
    eligible = np.ones((len(follows), len(cohort)), dtype=bool)
    chance = follows < 0
    eligible[~chance] = signals[follows[~chance]] >= 0
    member, group = _pick_groups(rng, count, eligible, vocab.weight)
    alt = np.floor(rng.random(len(member)) * vocab.size[group]).astype(np.int64)
    ruled = follows[group] >= 0
    alt[ruled] = signals[follows[group[ruled]], member[ruled]]
    tag = vocab.offset[group] + alt
    order = np.lexsort((tag, member))
    member, tag = member[order], tag[order]
    return Profiles(member, tag, _notes(rng, vocab, owned, member, tag))

"""Demo member tags and notes: deterministic, plausible, and tied to behaviour where cheap."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import text

from copilot.config import Settings
from copilot.data.dataset import read_info
from copilot.data.demo import DemoFrames, build_demo, generate
from copilot.data.demo.profiles import MAX_TAGS, vocabulary
from copilot.data.importer.columns import DIMENSIONS
from copilot.data.store import MemberStore

END = date(2025, 6, 30)


@pytest.fixture(scope="module")
def small() -> DemoFrames:
    return generate("small", seed=3, end=END)


def test_vocabulary_is_sound() -> None:
    vocab = vocabulary()
    per_dim = pd.Series(vocab.dimensions).value_counts()
    assert set(per_dim.index) == set(DIMENSIONS)
    assert per_dim.between(6, 12).all(), per_dim
    assert len(set(vocab.tags)) == len(vocab.tags)  # a tag names one thing
    assert all(len(t) <= 50 for t in vocab.tags)
    assert len(vocab.notes) >= 25 and len(set(vocab.notes)) == len(vocab.notes)
    notes = [*vocab.notes, *(n for texts in vocab.tag_notes.values() for n in texts)]
    assert all(10 <= len(n) <= 40 for n in notes), [n for n in notes if not 10 <= len(n) <= 40]
    assert set(vocab.tag_notes) <= set(vocab.tags)


def test_same_seed_same_tags(small: DemoFrames) -> None:
    again = generate("small", seed=3, end=END)
    pd.testing.assert_frame_equal(small.member_tags, again.member_tags)
    pd.testing.assert_series_equal(small.members["note"], again.members["note"])
    other = generate("small", seed=4, end=END)
    assert not small.member_tags.equals(other.member_tags)


def test_tags_per_member(small: DemoFrames) -> None:
    tags, m, tx = small.member_tags, small.members, small.transactions
    assert list(tags.columns) == ["member_id", "dimension", "tag"]
    assert set(tags["dimension"]) == set(DIMENSIONS)
    assert not tags.duplicated(["member_id", "tag"]).any()
    assert set(tags["member_id"]) <= set(m["member_id"])
    per = tags.groupby("member_id").size().reindex(m["member_id"], fill_value=0)
    assert per.max() == MAX_TAGS and 0.15 < (per == 0).mean() < 0.5
    bought = tx.dropna(subset=["member_id"]).groupby("member_id").size()
    bought = bought.reindex(m["member_id"], fill_value=0)
    assert per[bought >= 10].mean() > 2 * per[bought <= 1].mean()  # staff learn with visits
    # alternatives of one group never meet: shape and size follow one hidden build
    held = tags.groupby("member_id")["tag"].agg(set)
    for group in (("偏瘦", "身材标准", "微胖"), ("爽快", "犹豫"), ("价格敏感", "高客单")):
        assert not held.map(lambda s, g=group: len(s & set(g)) > 1).any(), group
    pairs = {("偏瘦", "尺码S"), ("身材标准", "尺码M"), ("微胖", "尺码L")}
    for shape, size in pairs:
        both = held.map(lambda s, a=shape: a in s) & held.map(
            lambda s: bool(s & {"尺码S", "尺码M", "尺码L"}))
        assert held[both].map(lambda s, b=size: b in s).all()


def test_consumption_tags_follow_behaviour(small: DemoFrames) -> None:
    tags, tx = small.member_tags, small.transactions.dropna(subset=["member_id"])
    ticket = tx.groupby("member_id")["amount"].mean()
    high = ticket.reindex(tags.loc[tags["tag"] == "高客单", "member_id"])
    low = ticket.reindex(tags.loc[tags["tag"] == "价格敏感", "member_id"])
    assert high.min() > low.max()
    online = set(tx.loc[tx["channel"].isin(["miniapp", "live"]), "member_id"])
    assert set(tags.loc[tags["tag"] == "线上下单", "member_id"]) <= online


def test_notes(small: DemoFrames) -> None:
    m = small.members
    owned = m["staff_id"].notna()
    assert m.loc[~owned, "note"].isna().all()
    assert 0.2 < m.loc[owned, "note"].notna().mean() < 0.3
    assert m["note"].dropna().str.len().between(10, 40).all()
    assert m["note"].nunique() >= 20


def test_build_demo_writes_tags_and_derived_tables(settings: Settings,
                                                   small: DemoFrames) -> None:
    store = MemberStore.from_settings(settings)
    summary = build_demo(store, "small", seed=3, end=END)
    assert summary.member_tags == len(small.member_tags) and "个标签" in str(summary)
    with store.read() as conn:
        tags = conn.execute(text("SELECT COUNT(*) FROM member_tags")).scalar_one()
        notes = conn.execute(text("SELECT COUNT(note) FROM members")).scalar_one()
        buyers, purchases = conn.execute(
            text("SELECT COUNT(*), SUM(purchases) FROM member_stats")).one()
        spend = conn.execute(text("SELECT SUM(spend) FROM member_categories")).scalar_one()
        member_sales = conn.execute(
            text("SELECT SUM(amount) FROM transactions WHERE member_id IS NOT NULL")).scalar_one()
        info = read_info(conn)
    member_tx = small.transactions.dropna(subset=["member_id"])
    assert tags == len(small.member_tags) and notes == small.members["note"].notna().sum()
    assert buyers == member_tx["member_id"].nunique() and purchases == len(member_tx)
    assert spend == member_sales  # every line of a member's ticket is in one category
    assert info["facts_as_of"] == END.isoformat()
    store.close()

"""Simulated responses on the small demo chain: demo only, idempotent, deterministic, and
a review after them sees the sent members buy more than the held-out ones."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from copilot.campaigns.simulate import simulate_responses
from copilot.config import Settings
from copilot.data.dataset import mark_import
from copilot.data.demo import build_demo
from copilot.data.store import MemberStore
from copilot.errors import UserError
from copilot.state.db import StateStore
from tests.tools.fixtures import make_ctx
from tools.campaigns.review import TOOL, ReviewArgs

END = date(2026, 6, 30)
SENT_AT = datetime(2026, 7, 1, 10, 0)
CID = "51a1a10001"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "members.duckdb"
    store = MemberStore(f"duckdb:///{path}")
    build_demo(store, size="small", seed=3, end=END)
    store.close()
    return path


@pytest.fixture
def members(settings: Settings, demo_file: Path) -> MemberStore:
    shutil.copyfile(demo_file, settings.member_db_path)
    return MemberStore.from_settings(settings)


def _campaign(settings: Settings, member_ids: list[str], *, cid: str = CID,
              status: str = "done", by: str = "E0001") -> tuple[list[str], list[str]]:
    """Every fourth member held out, the rest sent (a minute apart from 10:00)."""
    held = member_ids[::4]
    sent = [m for m in member_ids if m not in set(held)]
    with StateStore.from_settings(settings).begin() as conn:
        conn.execute(text(
            "INSERT INTO campaigns (campaign_id, name, state, created_by, region, stores, "
            "segment, content, channels, send_at, holdout_share, audience, needs_approval, "
            "created_at, updated_at) VALUES (:id, '夏季召回', :state, :by, NULL, '[]', '{}', "
            "'夏季会员专享', '[\"wecom_customer\"]', :at, 0.25, :n, false, :at, :at)"),
            {"id": cid, "state": status, "by": by, "at": SENT_AT, "n": len(sent)})
        rows = [{"m": m, "s": "sent", "at": SENT_AT + timedelta(minutes=i)}
                for i, m in enumerate(sent)] if status == "done" else []
        rows += [{"m": m, "s": "holdout", "at": None} for m in held]
        conn.execute(text(
            "INSERT INTO campaign_recipients (campaign_id, member_id, channel, store_id, "
            "state, sent_at) VALUES (:c, :m, 'wecom_customer', 'S001', :s, :at)"),
            [{"c": cid, **r} for r in rows])
    return sent, held


def _first_members(store: MemberStore, n: int = 400) -> list[str]:
    with store.read() as conn:
        return [r[0] for r in conn.execute(text(
            "SELECT member_id FROM members ORDER BY member_id LIMIT :n"), {"n": n})]


def _admin(store: MemberStore) -> str:
    with store.read() as conn:
        return conn.execute(text("SELECT MIN(staff_id) FROM staff WHERE role = 'admin'")
                            ).scalar_one()


def _simulated(store: MemberStore) -> pd.DataFrame:
    with store.read() as conn:
        rows = conn.execute(text(
            "SELECT t.tx_id, t.member_id, t.store_id, t.staff_id, t.ts, t.amount, t.units, "
            "t.channel, l.sku, l.qty, l.amount AS line_amount FROM transactions t "
            "JOIN line_items l ON l.tx_id = t.tx_id WHERE t.tx_id LIKE 'SIM-%' "
            "ORDER BY t.tx_id")).all()
    return pd.DataFrame(rows)


def test_refuses_on_data_that_is_not_a_demo(settings: Settings, chain_store: MemberStore
                                            ) -> None:
    _campaign(settings, ["M01", "M02", "M03", "M04"])
    with pytest.raises(UserError, match=re.escape("只能在演示数据上模拟活动效果")):
        simulate_responses(settings, CID)
    assert _simulated(chain_store).empty


def test_refuses_once_a_demo_has_imported_data(settings: Settings, members: MemberStore
                                               ) -> None:
    _campaign(settings, _first_members(members, 20))
    with members.write() as conn:
        mark_import(conn)
    with pytest.raises(UserError, match="只能在演示数据上"):
        simulate_responses(settings, CID)
    assert _simulated(members).empty


def test_refuses_a_campaign_not_sent(settings: Settings, members: MemberStore) -> None:
    _campaign(settings, _first_members(members, 20), status="scheduled")
    with pytest.raises(UserError, match="还没有发送"):
        simulate_responses(settings, CID)
    with pytest.raises(UserError, match="找不到活动"):
        simulate_responses(settings, "nosuch0001")


def test_purchases_fall_in_each_members_window(settings: Settings, members: MemberStore
                                                ) -> None:
    sent, held = _campaign(settings, _first_members(members))
    summary = simulate_responses(settings, CID, seed=5)
    sim = _simulated(members)
    assert len(sim) == summary.transactions > 0
    assert sim["tx_id"].str.startswith(f"SIM-{CID}-").all()
    assert (summary.sent_members, summary.holdout_members) == (len(sent), len(held))
    sent_at = {m: SENT_AT + timedelta(minutes=i) for i, m in enumerate(sent)}
    for member, ts in zip(sim["member_id"], sim["ts"], strict=True):
        begin = sent_at.get(member, SENT_AT)
        assert member in sent_at or member in held
        assert begin < ts < begin + timedelta(days=14), (member, ts)
        assert 10 <= ts.hour < 22
    assert (sim["amount"] > 0).all() and (sim["amount"] == sim["line_amount"]).all()
    assert (sim["units"] == sim["qty"]).all()
    assert "模拟发送后 14 天" in str(summary)


def test_a_rerun_replaces_and_the_same_seed_writes_the_same(settings: Settings,
                                                           members: MemberStore) -> None:
    _campaign(settings, _first_members(members))
    with members.read() as conn:
        before = conn.execute(text("SELECT COUNT(*) FROM transactions")).scalar_one()
    first = simulate_responses(settings, CID, seed=5)
    rows = _simulated(members)
    again = simulate_responses(settings, CID, seed=5)
    assert again.replaced == first.transactions
    pd.testing.assert_frame_equal(_simulated(members), rows)
    with members.read() as conn:
        after = conn.execute(text("SELECT COUNT(*) FROM transactions")).scalar_one()
        stats = conn.execute(text("SELECT SUM(purchases) FROM member_stats")).scalar_one()
        as_of = conn.execute(text("SELECT value FROM dataset_info WHERE key = 'facts_as_of'")
                             ).scalar_one()
    assert after == before + first.transactions
    assert stats == after - _walkins(members)  # derived tables rebuilt with the new rows
    assert as_of == rows["ts"].max().date().isoformat()
    other = simulate_responses(settings, CID, seed=6)
    assert other.replaced == first.transactions
    assert not _simulated(members).equals(rows)


def _walkins(store: MemberStore) -> int:
    with store.read() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM transactions WHERE member_id IS NULL")
                            ).scalar_one()


def test_review_after_simulation_sees_the_lift(settings: Settings, members: MemberStore
                                               ) -> None:
    _campaign(settings, _first_members(members), by=_admin(members))
    summary = simulate_responses(settings, CID, seed=5, lift=1.0)
    ctx = make_ctx(settings, members, _admin(members), today=date(2026, 7, 20))
    result = TOOL.run(ctx, ReviewArgs(campaign=CID))
    assert result.complete and result.verdict == "measured"
    assert result.holdout is not None
    assert (result.sent.buyers, result.holdout.buyers) == (summary.sent_buyers,
                                                           summary.holdout_buyers)
    assert result.sent.conversion > result.holdout.conversion  # type: ignore[operator]
    assert result.lift_pp is not None and result.lift_pp > 0
    assert result.incremental_sales is not None and result.incremental_sales > 0

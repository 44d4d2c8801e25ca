"""The demo chain generator: deterministic, schema-exact, consistent and believable."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from copilot.config import Settings
from copilot.data.dataset import read_info
from copilot.data.demo import SIZES, DemoFrames, build_demo, generate
from copilot.data.demo.calendar import SPRING_FESTIVAL
from copilot.data.migrate import migrate
from copilot.data.store import MemberStore

END = date(2025, 6, 30)
TABLES = ("stores", "staff", "members", "products", "transactions", "line_items")
TIERS = ("普卡", "银卡", "金卡", "钻石卡")
_COLUMNS = text("SELECT column_name FROM information_schema.columns WHERE table_name = :t"
                " ORDER BY ordinal_position")


@pytest.fixture(scope="module")
def small() -> DemoFrames:
    return generate("small", seed=3, end=END)


def _cents(amount: pd.Series) -> pd.Series:
    return (amount * 100).round().astype("int64")


def _member_counts(f: DemoFrames) -> pd.Series:
    bought = f.transactions.dropna(subset=["member_id"])
    return bought.groupby("member_id").size().reindex(f.members["member_id"], fill_value=0)


def test_same_seed_same_frames_other_seed_differs(small: DemoFrames) -> None:
    again = generate("small", seed=3, end=END)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(small, table), getattr(again, table))
    other = generate("small", seed=4, end=END)
    assert not small.transactions.equals(other.transactions)
    assert not small.members.equals(other.members)


def test_columns_are_exactly_the_schema(small: DemoFrames) -> None:
    engine = create_engine("duckdb:///:memory:")
    with engine.begin() as conn:
        migrate(conn)
        schema = {t: list(conn.execute(_COLUMNS, {"t": t}).scalars()) for t in TABLES}
    engine.dispose()
    for table in TABLES:
        assert list(getattr(small, table).columns) == schema[table], table


def test_sizes_and_window(small: DemoFrames) -> None:
    preset = SIZES["small"]
    assert len(small.stores) == preset.stores and len(small.members) == preset.members
    assert 0.8 * preset.transactions < len(small.transactions) < 1.2 * preset.transactions
    assert 150 <= len(small.products) <= 250
    ts = small.transactions["ts"]
    assert ts.is_monotonic_increasing
    assert ts.min() >= pd.Timestamp(END - timedelta(days=729))
    assert ts.max() < pd.Timestamp(END + timedelta(days=1))
    assert small.start == END - timedelta(days=729) and small.end == END


def test_ids_and_values(small: DemoFrames) -> None:
    s, st, m, tx = small.stores, small.staff, small.members, small.transactions
    assert s["store_id"].str.fullmatch(r"S\d{3}").all() and s["store_id"].is_unique
    assert s["name"].str.endswith("店").all() and s["name"].is_unique
    assert set(s["region"]) == {"华北", "华东"}
    assert (s["opened_on"] > pd.Timestamp(END - timedelta(days=365))).any()  # a new store
    assert st["staff_id"].str.fullmatch(r"E\d{4}").all()
    assert set(st["role"]) == {"staff", "store_manager", "supervisor", "admin", "trainee"}
    assert (st.groupby("store_id")["role"].apply(lambda r: (r == "store_manager").sum()) == 1).all()
    assert st.loc[st["role"] == "supervisor", "store_id"].isna().all()
    assert m["member_id"].str.fullmatch(r"M\d{7}").all()
    assert m["phone"].str.fullmatch(r"1[3-9]\d{9}").all() and m["phone"].is_unique
    assert set(m["gender"]) == {"女", "男"} and (m["gender"] == "女").mean() > 0.75
    assert 0.03 < m["birthday"].isna().mean() < 0.13
    assert 0.02 < m["staff_id"].isna().mean() < 0.09
    assert 0.35 < m["wecom_added"].mean() < 0.9 and 0.01 < m["opt_out"].mean() < 0.1
    wecom_ids = m.loc[m["wecom_added"], "wecom_external_id"]
    assert m.loc[~m["wecom_added"], "wecom_external_id"].isna().all()
    assert wecom_ids.str.fullmatch(r"wm[0-9a-f]{30}").all() and wecom_ids.is_unique
    assert (m["points"] >= 0).all() and m["joined_at"].is_monotonic_increasing
    assert set(m["tier"]) == set(TIERS)
    assert set(tx["channel"]) <= {"store", "miniapp", "wecom", "live"}
    assert (tx["channel"] == "store").mean() > 0.6
    assert tx["units"].between(1, 6).all() and (tx["amount"] > 0).all()
    assert tx["tx_id"].is_unique and 0.02 < tx["staff_id"].isna().mean() < 0.08


def test_references_resolve(small: DemoFrames) -> None:
    stores, staff = set(small.stores["store_id"]), small.staff.set_index("staff_id")
    m, tx, li = small.members, small.transactions, small.line_items
    assert set(m["store_id"]) <= stores
    owners = m.dropna(subset=["staff_id"])
    assert (staff.loc[owners["staff_id"], "store_id"].to_numpy() == owners["store_id"]).all()
    assert set(tx["store_id"]) <= stores
    assert set(tx["member_id"].dropna()) <= set(m["member_id"])
    sold = tx.dropna(subset=["staff_id"])
    assert (staff.loc[sold["staff_id"], "store_id"].to_numpy() == sold["store_id"]).all()
    assert set(li["tx_id"]) == set(tx["tx_id"]) and set(li["sku"]) <= set(small.products["sku"])
    cats = small.products.set_index("sku")["category"]
    assert (cats.loc[li["sku"]].to_numpy() == li["category"]).all()


def test_nothing_happens_before_it_can(small: DemoFrames) -> None:
    tx = small.transactions.merge(small.stores[["store_id", "opened_on"]], on="store_id")
    assert (tx["ts"] >= tx["opened_on"]).all()
    first = tx.dropna(subset=["member_id"]).groupby("member_id")["ts"].min()
    joined = small.members.set_index("member_id")["joined_at"].loc[first.index]
    assert (first >= joined).all()
    home = small.members.merge(small.stores[["store_id", "opened_on"]], on="store_id")
    assert (home["joined_at"] >= home["opened_on"]).all()


def test_line_items_add_up_to_their_transaction(small: DemoFrames) -> None:
    li, tx = small.line_items, small.transactions.set_index("tx_id")
    per_tx = li.assign(cents=_cents(li["amount"])).groupby("tx_id", sort=False)
    assert (per_tx["qty"].sum() == tx.loc[per_tx["qty"].sum().index, "units"]).all()
    assert (per_tx["cents"].sum() == _cents(tx["amount"]).loc[per_tx["cents"].sum().index]).all()
    assert (per_tx["line_no"].min() == 1).all()
    assert (per_tx["line_no"].max() == per_tx.size()).all()
    assert (li["qty"] >= 1).all() and (li["amount"] > 0).all()
    assert (li["amount"].round(2) == li["amount"]).all()


def test_tier_follows_last_year_spend(small: DemoFrames) -> None:
    tx = small.transactions
    recent = tx[tx["ts"] >= pd.Timestamp(END - timedelta(days=364))].dropna(subset=["member_id"])
    spend = recent.groupby("member_id")["amount"].sum()
    m = small.members.assign(spend=lambda d: d["member_id"].map(spend).fillna(0.0))
    median = m.groupby("tier")["spend"].median().loc[list(TIERS)]
    assert median.is_monotonic_increasing and median.is_unique
    counts = m["tier"].value_counts().loc[list(TIERS)]
    assert counts.is_monotonic_decreasing and counts.iloc[-1] > 0
    assert (m.groupby("tier")["spend"].min().loc[list(TIERS[1:])] > 0).all()


def test_member_behaviour_is_plausible(small: DemoFrames) -> None:
    tx, m = small.transactions, small.members
    assert 0.30 <= tx["member_id"].isna().mean() <= 0.40
    counts = _member_counts(small)
    assert 0.10 <= (counts == 0).mean() <= 0.25  # never bought
    assert (counts == 1).mean() > 0.15 and (counts >= 12).mean() > 0.05  # once vs monthly
    new = m[m["joined_at"] >= pd.Timestamp(small.start)].set_index("member_id")["joined_at"]
    first = tx.dropna(subset=["member_id"]).groupby("member_id")["ts"].min().reindex(new.index)
    within_30 = ((first - new).dt.days <= 30).mean()
    assert 0.55 <= within_30 <= 0.8
    mt = tx.dropna(subset=["member_id"]).merge(m[["member_id", "store_id", "staff_id"]],
                                               on="member_id", suffixes=("", "_home"))
    assert 0.8 < (mt["store_id"] == mt["store_id_home"]).mean() < 0.97
    assert (mt["staff_id"] == mt["staff_id_home"]).mean() > 0.6


def test_calendar_shapes_sales(small: DemoFrames) -> None:
    daily = small.transactions.set_index("ts")["amount"].resample("D").sum()
    weekly = daily.rolling(7).sum().dropna()  # the 7 days ending on each day
    for year in (2023, 2024):
        assert weekly[pd.Timestamp(year, 11, 11)] > 1.3 * weekly.median()  # 双11 week
    festival = pd.Timestamp(SPRING_FESTIVAL[2024])
    holiday = daily[festival - pd.Timedelta(days=1): festival + pd.Timedelta(days=2)].mean()
    before = daily[festival - pd.Timedelta(days=21): festival - pd.Timedelta(days=3)].mean()
    assert holiday < 0.6 * before
    weekday = daily.groupby(daily.index.day_of_week).mean()
    assert weekday.loc[[5, 6]].min() > weekday.loc[[0, 1, 2, 3]].max()


def test_stores_differ_in_health(small: DemoFrames) -> None:
    counts = _member_counts(small)
    home = small.members.set_index("member_id")["store_id"]
    buyers = counts[counts > 0]
    repurchase = (buyers >= 2).groupby(home.loc[buyers.index]).mean()
    assert repurchase.max() - repurchase.min() > 0.15


def test_demo_sizes_are_declared() -> None:
    assert set(SIZES) == {"small", "demo", "bench"}
    assert SIZES["demo"].regions == ("华北", "华东", "华南") and SIZES["demo"].stores == 30
    assert SIZES["bench"].members == 1_000_000 and len(SIZES["bench"].regions) == 5
    with pytest.raises(ValueError, match="huge"):
        generate("huge")


def _check_loaded(store: MemberStore, frames: DemoFrames) -> None:
    with store.read() as conn:
        for table in TABLES:
            count = conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
            assert count == len(getattr(frames, table)), table
        total = conn.execute(text("SELECT SUM(amount) FROM transactions")).scalar_one()
        lines = conn.execute(text("SELECT SUM(amount) FROM line_items")).scalar_one()
        missing = conn.execute(
            text("SELECT COUNT(*) FROM members WHERE birthday IS NULL")).scalar_one()
        walkins = conn.execute(
            text("SELECT COUNT(*) FROM transactions WHERE member_id IS NULL")).scalar_one()
        info = read_info(conn)
    assert total == lines and int(total * 100) == _cents(frames.transactions["amount"]).sum()
    assert missing == frames.members["birthday"].isna().sum()
    assert walkins == frames.transactions["member_id"].isna().sum()
    assert info["source"] == "demo:small" and info["demo_end"] == END.isoformat()


def test_build_demo_writes_everything(settings: Settings, small: DemoFrames) -> None:
    store = MemberStore.from_settings(settings)
    steps: list[tuple[str, float]] = []
    summary = build_demo(store, "small", seed=3, end=END,
                         progress=lambda label, done: steps.append((label, done)))
    _check_loaded(store, small)
    with store.read() as conn:
        assert read_info(conn)["seed"] == "3"
    fractions = [f for _, f in steps]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and fractions[0] >= 0.0
    assert summary.transactions == len(small.transactions)
    assert "家门店" in str(summary) and "2025-06-30" in str(summary)
    store.close()


@pytest.mark.postgres
def test_build_demo_into_postgres(pg_url: str, small: DemoFrames) -> None:
    store = MemberStore(pg_url)
    try:
        build_demo(store, "small", seed=3, end=END)
        _check_loaded(store, small)
    finally:
        store.close()

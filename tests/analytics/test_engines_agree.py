"""The same queries on DuckDB and PostgreSQL give the same answers on the small demo set."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from copilot.analytics.clv import clv_summary
from copilot.analytics.metrics import compute_metrics
from copilot.analytics.period import Period
from copilot.analytics.rfm import compute_rfm, member_rfm_table
from copilot.analytics.scope import resolve_scope
from copilot.config import MetricWindows
from copilot.data.demo import build_demo
from copilot.data.store import MemberStore

END = date(2025, 6, 30)
PERIODS = [Period.parse("2025-06-01", "2025-06-30"), Period.parse("2024-07-01", "2025-06-30"),
           Period.parse("2024-11-01", "2024-11-11")]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory, pg_server: str):
    from tests.conftest import pg_schema_url  # module-scoped: one load for all comparisons

    duck = MemberStore(f"duckdb:///{tmp_path_factory.mktemp('duck')}/m.duckdb")
    with pg_schema_url(pg_server) as url:
        pg = MemberStore(url)
        build_demo(duck, size="small", seed=11, end=END)
        build_demo(pg, size="small", seed=11, end=END)
        yield duck, pg
        pg.close()
    duck.close()


def _scopes(store: MemberStore) -> list[dict[str, object]]:
    with store.read() as conn:
        first = conn.exec_driver_sql("SELECT MIN(store_id), MIN(region) FROM stores").one()
    return [{"chain": True}, {"region": first[1]}, {"store": first[0]}]


def test_every_metric_agrees(both: tuple[MemberStore, MemberStore]) -> None:
    duck, pg = both
    windows = MetricWindows()
    for scope_args in _scopes(duck):
        for period in PERIODS:
            results = []
            for store in (duck, pg):
                with store.read() as conn:
                    scope = resolve_scope(conn, **scope_args)
                    results.append(compute_metrics(conn, scope, period, windows).as_json())
            assert results[0] == results[1], (scope_args, period)
            assert results[0]["active_members"] > 0


def test_rfm_and_clv_agree(both: tuple[MemberStore, MemberStore]) -> None:
    duck, pg = both
    windows = MetricWindows()
    outputs = []
    for store in (duck, pg):
        with store.read() as conn:
            scope = resolve_scope(conn, chain=True)
            outputs.append((
                compute_rfm(conn, scope, END, windows),
                member_rfm_table(conn, scope, END, windows),
                clv_summary(conn, scope, END),
            ))
    (rfm_d, table_d, clv_d), (rfm_p, table_p, clv_p) = outputs
    assert rfm_d == rfm_p
    assert rfm_d.buyers > 100
    pd.testing.assert_frame_equal(table_d, table_p, check_dtype=False)
    pd.testing.assert_frame_equal(clv_d, clv_p, check_dtype=False)

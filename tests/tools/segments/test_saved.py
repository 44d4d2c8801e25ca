"""Saved segments in the state database, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from copilot.errors import UserError
from copilot.state.db import StateStore
from tests.conftest import pg_schema_url
from tools.segments import saved
from tools.segments.spec import SegmentSpec


def _check(state: StateStore) -> None:
    spec = SegmentSpec(tiers=["金卡"], days_since_min=90)
    first = saved.save(state, "E01", "金卡召回", spec, 12, date(2026, 11, 25))
    assert (first.name, first.owner, first.size, first.as_of) == ("金卡召回", "E01", 12,
                                                                  "2026-11-25")
    assert first.spec == spec
    saved.save(state, "E02", "金卡召回", spec, 3, date(2026, 11, 25))  # another owner: fine
    with pytest.raises(UserError, match="已经有一个叫“金卡召回”的分组"):
        saved.save(state, "E01", " 金卡召回 ", spec, 1, date(2026, 11, 25))
    with pytest.raises(UserError, match="分组名称不能为空"):
        saved.save(state, "E01", "  ", spec, 1, date(2026, 11, 25))
    with pytest.raises(UserError, match="有多个分组叫“金卡召回”"):
        saved.find(state, None, "金卡召回")
    assert saved.find(state, "E01", first.segment_id).segment_id == first.segment_id
    saved.update_size(state, first.segment_id, 20, date(2026, 12, 1))
    again = saved.find(state, "E01", "金卡召回")
    assert (again.size, again.as_of) == (20, "2026-12-01")
    assert sorted(s.owner for s in saved.list_for(state, None)) == ["E01", "E02"]
    assert [s.owner for s in saved.list_for(state, "E02")] == ["E02"]
    saved.delete(state, first.segment_id)
    assert [s.owner for s in saved.list_for(state, None)] == ["E02"]
    with pytest.raises(UserError, match="找不到分组"):
        saved.find(state, "E01", "金卡召回")


def test_saved_segments_on_sqlite(tmp_path: Path) -> None:
    _check(StateStore(f"sqlite:///{tmp_path / 'state.db'}"))


@pytest.mark.postgres
def test_saved_segments_on_postgres(pg_server: str) -> None:
    with pg_schema_url(pg_server) as url:
        state = StateStore(url)
        try:
            _check(state)
        finally:
            state.close()

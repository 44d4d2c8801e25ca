"""The send-time look-up in member data reads the same on DuckDB and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from copilot.campaigns.dispatch.checks import Member, members_of
from copilot.config import Settings
from copilot.data.store import MemberStore
from tests.campaigns.dispatch.helpers import load_members


@pytest.fixture(params=["duckdb", "postgresql"])
def any_members(request: pytest.FixtureRequest, settings: Settings) -> Iterator[MemberStore]:
    url = (settings.member_db_url if request.param == "duckdb"
           else request.getfixturevalue("pg_url"))
    store = MemberStore(url)
    load_members(store, 600, opt_out=["M00002"], no_phone=["M00003"], not_added=["M00004"])
    yield store
    store.close()


def test_contact_details_and_opt_outs_come_from_member_data(any_members: MemberStore) -> None:
    ids = [f"M{i:05d}" for i in range(595, 600)] + ["M00002", "M00003", "M00004", "M99999"]
    found = members_of(any_members, ids)
    assert sorted(found) == sorted(ids[:-1])  # one who is not there is simply absent
    assert found["M00599"] == Member("13800000599", False, True, "wmM00599")
    assert found["M00002"].opt_out and found["M00003"].phone is None
    assert (found["M00004"].wecom_added, found["M00004"].wecom_external_id) == (False, None)
    assert members_of(any_members, []) == {}

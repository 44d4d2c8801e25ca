"""Claims: racing workers get disjoint batches, leases expire and are taken over, and a
worker that lost its claim cannot overwrite the new owner's work."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from copilot.campaigns.dispatch.claims import (
    Owner,
    claim,
    mark_sent,
    release,
    retry_later,
    settle,
)
from copilot.state.db import StateStore
from tests.campaigns.dispatch.helpers import member_ids, new_campaign, recipient_rows

T0 = datetime(2026, 11, 25, 10, 0)


def _claim(state: StateStore, owner: Owner, *, at: datetime, size: int = 100,
           lease_s: float = 60) -> list[str]:
    with state.begin() as conn:
        return [r.member_id for r in claim(conn, owner, size=size, now=at, lease_s=lease_s)]


def test_workers_racing_never_claim_the_same_recipient(any_state: StateStore) -> None:
    ids = member_ids(2000)
    cid = new_campaign(any_state, ids)
    got: dict[str, list[str]] = {}
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def work(name: str) -> None:
        owner = Owner(cid, "sms", name)
        mine: list[str] = []
        try:
            start.wait()
            while batch := _claim(any_state, owner, at=datetime.now(), size=37):
                mine += batch
        except BaseException as exc:
            errors.append(exc)
        got[name] = mine

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    claimed = [m for batch in got.values() for m in batch]
    assert len(claimed) == len(set(claimed)) == len(ids)
    if any_state.kind == "postgresql":  # SQLite: one writer at a time, often the same one
        assert sum(1 for batch in got.values() if batch) > 1  # they really raced
    rows = recipient_rows(any_state, cid)
    owners = {m: name for name, batch in got.items() for m in batch}
    assert all(r["state"] == "claimed" and r["attempts"] == 1
               and r["claimed_by"] == owners[m] for (m, _), r in rows.items())


def test_an_expired_claim_is_taken_over_and_the_old_worker_cannot_touch_it(
        any_state: StateStore) -> None:
    cid = new_campaign(any_state, member_ids(5))
    old, new = Owner(cid, "sms", "old"), Owner(cid, "sms", "new")
    assert len(_claim(any_state, old, at=T0)) == 5
    assert _claim(any_state, new, at=T0 + timedelta(seconds=30)) == []  # lease still held
    with any_state.begin() as conn:
        taken = claim(conn, new, size=3, now=T0 + timedelta(seconds=61), lease_s=60)
    assert [r.attempts for r in taken] == [1, 1, 1]  # a send may already have gone out
    ids = [r.member_id for r in taken]
    with any_state.begin() as conn:  # the old worker wakes up and tries everything
        assert mark_sent(conn, old, ids, T0 + timedelta(seconds=62)) == set()
        settle(conn, old, "failed", dict.fromkeys(ids, "超时"))
        retry_later(conn, old, [(m, "超时", T0) for m in ids])
        release(conn, old, ids)
    rows = recipient_rows(any_state, cid)
    assert all(rows[(m, "sms")]["state"] == "claimed" and rows[(m, "sms")]["claimed_by"] == "new"
               and rows[(m, "sms")]["attempts"] == 2 for m in ids)
    with any_state.begin() as conn:
        assert mark_sent(conn, new, ids, T0 + timedelta(seconds=63)) == set(ids)
    rows = recipient_rows(any_state, cid)
    assert sorted(r["state"] for r in rows.values()) == ["claimed"] * 2 + ["sent"] * 3
    # The two the old worker still holds (expired, not taken) it may still mark.
    rest = [m for (m, _), r in rows.items() if r["state"] == "claimed"]
    with any_state.begin() as conn:
        assert mark_sent(conn, old, rest, T0 + timedelta(seconds=64)) == set(rest)


def test_a_passing_failure_waits_for_its_time_and_a_release_is_not_an_attempt(
        any_state: StateStore) -> None:
    cid = new_campaign(any_state, member_ids(2))
    w = Owner(cid, "sms", "w")
    first, second = _claim(any_state, w, at=T0)
    with any_state.begin() as conn:
        retry_later(conn, w, [(first, "限流", T0 + timedelta(seconds=30))])
        release(conn, w, [second])
    rows = recipient_rows(any_state, cid)
    assert rows[(first, "sms")]["state"] == "pending"
    assert rows[(first, "sms")]["reason"] == "限流"
    assert (rows[(second, "sms")]["attempts"], rows[(second, "sms")]["claimed_by"]) == (0, None)
    assert _claim(any_state, w, at=T0 + timedelta(seconds=10)) == [second]
    assert _claim(any_state, w, at=T0 + timedelta(seconds=31)) == [first]
    assert recipient_rows(any_state, cid)[(first, "sms")]["attempts"] == 2


def test_claims_are_per_channel(any_state: StateStore) -> None:
    cid = new_campaign(any_state, member_ids(3), channels=("sms", "slack_dm"))
    assert len(_claim(any_state, Owner(cid, "sms", "a"), at=T0)) == 3
    assert len(_claim(any_state, Owner(cid, "slack_dm", "b"), at=T0)) == 3

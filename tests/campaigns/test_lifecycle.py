"""Campaign states: every move, who may make it, and two presses at once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from copilot.campaigns import store
from copilot.campaigns.lifecycle import BEFORE_SENDING
from copilot.config import Settings
from copilot.data.access import User
from copilot.errors import UserError
from copilot.state.db import StateStore

MANAGER = User("E03", "赵敏", "store_manager", "S001", "华北")  # creates
GUIDE = User("E01", "王芳", "staff", "S001", "华北")
NORTH = User("E05", "陈静", "supervisor", None, "华北")
SOUTH = User("E08", "吴磊", "supervisor", None, "华南")
ADMIN = User("E06", "刘洋", "admin", None, None)
T0 = datetime(2026, 11, 25, 10, 0)


@pytest.fixture
def state(settings: Settings) -> StateStore:
    return StateStore.from_settings(settings)


def _new(state: StateStore, *, big: bool = False, by: User = MANAGER) -> str:
    return store.create(state, store.NewCampaign(
        name="周六会员日", created_by=by.staff_id, region="华北", stores=["S001"],
        segment={"id": "seg1", "name": "金卡组"}, content="周六会员日全场9折",
        channels=["wecom_group"], send_at=T0 + timedelta(days=3), holdout_share=0.1,
        audience=5000 if big else 40, needs_approval=big), now=T0)


def _walk(state: StateStore, cid: str, *steps: tuple[str, User | None]) -> str:
    for i, (action, who) in enumerate(steps, 1):
        got = store.act(state, cid, action, who, now=T0 + timedelta(minutes=i))  # type: ignore[arg-type]
    return got.state


def test_a_small_campaign_goes_from_draft_to_done(state: StateStore) -> None:
    cid = _new(state)
    assert _walk(state, cid, ("preview", MANAGER), ("confirm", MANAGER), ("start", None),
                 ("finish", None)) == "done"
    moves = [(h["actor"], h["action"], h["from_state"], h["to_state"])
             for h in store.history(state, cid)]
    assert moves == [("E03", "create", None, "draft"),
                     ("E03", "preview", "draft", "pending_confirmation"),
                     ("E03", "confirm", "pending_confirmation", "scheduled"),
                     ("system", "start", "scheduled", "sending"),
                     ("system", "finish", "sending", "done")]


def test_a_large_campaign_waits_for_a_supervisor_of_its_region(state: StateStore) -> None:
    cid = _new(state, big=True)
    assert _walk(state, cid, ("preview", MANAGER), ("confirm", MANAGER)) == "pending_approval"
    for who, why in ((MANAGER, "不能审批自己发起的活动"), (SOUTH, "所在区域的督导"),
                     (GUIDE, "所在区域的督导")):
        with pytest.raises(UserError, match=why):
            store.act(state, cid, "approve", who)
    assert store.act(state, cid, "approve", NORTH).state == "scheduled"
    other = _new(state, big=True)
    assert _walk(state, other, ("preview", MANAGER), ("confirm", MANAGER),
                 ("reject", ADMIN)) == "cancelled"


def test_only_the_requester_confirms(state: StateStore) -> None:
    cid = _new(state)
    store.act(state, cid, "preview", MANAGER)
    for who in (GUIDE, NORTH, ADMIN):
        with pytest.raises(UserError, match="只有发起人 E03 本人可以确认"):
            store.act(state, cid, "confirm", who)
    assert store.get(state, cid).state == "pending_confirmation"


@pytest.mark.parametrize("steps", [
    (), (("preview", MANAGER),), (("preview", MANAGER), ("confirm", MANAGER)),
])
def test_cancel_works_in_any_state_before_sending(state: StateStore, steps) -> None:
    for who in (MANAGER, NORTH, ADMIN):
        cid = _new(state, big=True)
        before = _walk(state, cid, *steps) if steps else "draft"
        assert before in BEFORE_SENDING
        assert store.act(state, cid, "cancel", who).state == "cancelled"
    cid = _new(state)
    with pytest.raises(UserError, match="只有发起人 E03 或所在区域的督导可以取消"):
        store.act(state, cid, "cancel", GUIDE)
    with pytest.raises(UserError, match="只有发起人 E03 或所在区域的督导可以取消"):
        store.act(state, cid, "cancel", SOUTH)


def test_nothing_is_cancelled_or_confirmed_once_sending(state: StateStore) -> None:
    cid = _new(state)
    _walk(state, cid, ("preview", MANAGER), ("confirm", MANAGER), ("start", None))
    with pytest.raises(UserError, match="发送中,不能取消"):
        store.act(state, cid, "cancel", MANAGER)
    with pytest.raises(UserError, match="发送程序"):
        store.act(state, cid, "start", MANAGER)
    with pytest.raises(UserError, match="发送程序不能"):
        store.act(state, cid, "cancel", None)
    assert store.act(state, cid, "fail", None, note="渠道不可用").state == "failed"
    assert store.history(state, cid)[-1]["note"] == "渠道不可用"
    with pytest.raises(UserError, match="找不到活动"):
        store.get(state, "nope")


def test_two_presses_at_once_change_the_state_once(state: StateStore) -> None:
    cid = _new(state)
    store.act(state, cid, "preview", MANAGER)
    barrier, outcomes = threading.Barrier(4), []

    def press() -> None:
        barrier.wait()
        try:
            outcomes.append(store.act(state, cid, "confirm", MANAGER).state)
        except UserError as exc:
            outcomes.append(exc.zh)

    threads = [threading.Thread(target=press) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("scheduled") == 1
    confirms = [h for h in store.history(state, cid) if h["action"] == "confirm"]
    assert len(confirms) == 1


@pytest.mark.postgres
def test_the_lifecycle_on_postgresql(pg_url: str, settings: Settings) -> None:
    state = StateStore(pg_url)
    cid = _new(state, big=True)
    assert _walk(state, cid, ("preview", MANAGER), ("confirm", MANAGER),
                 ("approve", NORTH), ("start", None), ("finish", None)) == "done"
    assert len(store.history(state, cid)) == 6
    state.close()

"""The huey queue on its SQLite file and on the machine's Redis: the tick starts a campaign
and queues it once, the consumer's workers send it, the periodic tick is registered."""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable, Iterator

import pytest

from copilot.campaigns.dispatch.queue import CampaignQueue, build_queue, make_huey, queue_name
from copilot.config import get_settings
from copilot.data.store import MemberStore
from copilot.errors import UserError
from copilot.state.db import StateStore
from tests.campaigns.dispatch.helpers import campaign_state, load_members, new_campaign, outbox

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def wait_for(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


@pytest.fixture(params=["sqlite", "redis"])
def queue(request: pytest.FixtureRequest, configure) -> Iterator[CampaignQueue]:
    """A queue of its own (unique name), emptied afterwards."""
    env = {}
    if request.param == "redis":
        env["QUEUE_URL"] = request.getfixturevalue("redis_server")
    q = build_queue(configure(**env), name=f"test_{uuid.uuid4().hex[:12]}")
    yield q
    q.huey.flush()
    q.runtime.close()


def test_the_tick_queues_once_and_the_consumer_sends(queue: CampaignQueue,
                                                     members: MemberStore) -> None:
    state = StateStore.from_settings(queue.runtime.settings)
    cid = new_campaign(state, load_members(members, 30), status="scheduled")
    assert queue.tick() == [cid]
    assert campaign_state(state, cid) == "sending"
    assert queue.tick() == [cid]  # still due, but one "send" already waits
    assert queue.huey.pending_count() == 1
    handlers = {s: signal.getsignal(s) for s in SIGNALS}
    consumer = queue.huey.create_consumer(workers=2, periodic=False, max_delay=0.2)
    queue.runtime.stopping = consumer.stop_flag.is_set
    consumer.start()
    try:
        wait_for(lambda: campaign_state(state, cid) == "done")
    finally:
        consumer.stop(graceful=True)
        for s, handler in handlers.items():
            signal.signal(s, handler)
    assert len(outbox(state, cid)) == 30
    assert queue.huey.pending_count() == 0


def test_the_periodic_tick_is_a_huey_task(queue: CampaignQueue, members: MemberStore) -> None:
    state = StateStore.from_settings(queue.runtime.settings)
    cid = new_campaign(state, load_members(members, 3), status="scheduled")
    periodic = queue.huey.read_periodic(None)
    assert [t.name for t in periodic] == ["tick"]
    queue.huey.execute(periodic[0])  # as the consumer's scheduler does each minute
    assert campaign_state(state, cid) == "sending"
    task = queue.huey.dequeue()
    assert task.name == "send_campaign" and task.args == (cid,)
    queue.huey.execute(task)
    assert campaign_state(state, cid) == "done"


def test_the_queue_is_named_after_the_state_database(configure, tmp_path) -> None:
    here = configure()
    there = get_settings(data_dir=tmp_path)
    assert queue_name(here) != queue_name(there)
    assert queue_name(here) == queue_name(configure())
    with pytest.raises(UserError, match="redis://"):
        make_huey(configure(QUEUE_URL="amqp://127.0.0.1"))

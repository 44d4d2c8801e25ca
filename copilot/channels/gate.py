"""The one middleware layer every chat channel goes through.

An adapter verifies the platform's signature, turns the payload into an `Inbound` and hands
it here. The gate takes a retried event only once, finds the staff record behind the
platform user (unknown people get a polite refusal and nothing else), limits how often one
person may ask, runs the turn, and records it for feedback. Errors become a reply in the
user's language, never a stack trace in a group chat.
"""

from __future__ import annotations

import asyncio
import logging
import time
import tomllib
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, Literal, Protocol

from copilot.agent.service import Copilot
from copilot.agent.turn import TurnResult
from copilot.campaigns.approvals import follow_ups
from copilot.channels import identity, records
from copilot.errors import UserError

log = logging.getLogger(__name__)
Kind = Literal["answer", "unregistered", "limited", "refused", "failed"]


@cache
def reply_text(key: str, lang: str = "zh", **slots: str) -> str:
    raw = (resources.files("copilot.channels") / "replies.toml").read_text("utf-8")
    return tomllib.loads(raw)[key][lang].format(**slots)


@dataclass(frozen=True)
class Inbound:
    """A message as the copilot sees it, whatever the platform."""

    channel: str  # slack | wecom | web
    user: str  # the platform's user id (the staff id itself for the console)
    thread: str  # the platform's conversation thread, stable across its messages
    text: str
    direct: bool  # one-to-one: personal data may be shown to its owner
    event_id: str | None = None  # the platform's id of this delivery, for retries
    signed_in: bool = False  # `user` is already a staff id (the console's sign-in)
    today: date | None = None
    answers: str | None = None  # a confirm/cancel button: the id of the wait it was for


@dataclass
class Outbound:
    kind: Kind
    text: str
    staff_id: str | None = None
    result: TurnResult | None = None
    turn_id: str | None = None


class Turns(Protocol):
    """Who answers a turn: the Copilot itself, or `AgentPool` in front of worker processes."""

    async def turn(self, message: str, *, staff_id: str, thread: str, channel: str = ...,
                   direct: bool = ..., today: date | None = ...,
                   answers: str | None = ...) -> TurnResult: ...


@dataclass
class RateLimit:
    """At most `per_minute` turns per person in any 60 s (per process)."""

    per_minute: int
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def allow(self, who: str) -> bool:
        now, times = self.clock(), self._seen[who]
        while times and now - times[0] >= 60:
            times.popleft()
        if len(times) >= self.per_minute:
            return False
        times.append(now)
        return True


class Gate:
    def __init__(self, copilot: Copilot, limit: RateLimit | None = None,
                 turns: Turns | None = None,
                 later: Callable[[Coroutine[Any, Any, Any]], Any] | None = None) -> None:
        self.copilot = copilot
        self.turns: Turns = turns or copilot  # or the agent worker processes
        self.state = copilot.state
        self.limit = limit or RateLimit(copilot.settings.channel_rate_per_min)
        # The stores' day; replays and tests pin it.
        self.today: Callable[[], date] = copilot.settings.today
        # Work after the answer (the service's runner, which it drains on shutdown).
        self.later = later or self._keep
        self._tasks: set[asyncio.Task[Any]] = set()

    # Database work runs off the event loop, which also answers platform acks.
    async def staff_of(self, channel: str, user: str) -> str | None:
        return await asyncio.to_thread(identity.staff_for, self.state, channel, user)

    async def first_time(self, inbound: Inbound) -> bool:
        """False for a delivery already taken in (the platform retried it)."""
        if inbound.event_id is None:
            return True
        return await asyncio.to_thread(records.first_time, self.state, inbound.channel,
                                       inbound.event_id)

    async def handle(self, inbound: Inbound) -> Outbound:
        staff = inbound.user if inbound.signed_in else await self.staff_of(inbound.channel,
                                                                            inbound.user)
        if staff is None:
            return Outbound("unregistered", reply_text("unregistered"))
        if not self.limit.allow(staff):
            return Outbound("limited", reply_text("limited"), staff_id=staff)
        try:
            result = await self.turns.turn(
                inbound.text, staff_id=staff, thread=inbound.thread, channel=inbound.channel,
                direct=inbound.direct, today=inbound.today or self.today(),
                answers=inbound.answers)
        except UserError as exc:  # an empty or overlong message, an unknown staff record
            return Outbound("refused", exc.zh, staff_id=staff)
        except Exception:
            log.exception("turn failed in %s thread %s", inbound.channel, inbound.thread)
            return Outbound("failed", reply_text("failed"), staff_id=staff)
        turn_id = await asyncio.to_thread(
            records.record_turn, self.state, channel=inbound.channel, thread=inbound.thread,
            staff_id=staff, direct=inbound.direct, question=inbound.text, result=result)
        self.after_turn(result)
        return Outbound("answer", result.answer, staff_id=staff, result=result,
                        turn_id=turn_id)

    def after_turn(self, result: TurnResult) -> None:
        """Campaign decisions in the turn are news for others (its approvers, or its
        requester): told in the background, whichever channel the decision came through
        (imported here: notify uses the channel clients, which import this module)."""
        news = follow_ups(result)
        if not news:
            return
        from copilot.campaigns.notify import notify_approvers, notify_requester

        for who, campaign_id in news:
            tell = notify_approvers if who == "approvers" else notify_requester
            self.later(tell(self.copilot.settings, self.state, self.copilot.members,
                            campaign_id))

    def _keep(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)  # held until done, so it is not garbage-collected halfway
        task.add_done_callback(self._tasks.discard)
        return task

    async def rate(self, channel: str, user: str, turn_id: str, rating: int,
                   signed_in: bool = False) -> bool:
        """Store 👍/👎 from a registered person; False when they are not registered."""
        staff = user if signed_in else await self.staff_of(channel, user)
        if staff is None:
            return False
        await asyncio.to_thread(records.rate_turn, self.state, turn_id, staff, rating)
        return True

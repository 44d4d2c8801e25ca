"""The gate every channel goes through: identity, retries, rate limits, records, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from copilot.agent.service import Copilot
from copilot.channels import identity, records
from copilot.channels.gate import Gate, Inbound, Outbound, RateLimit
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.tools import chain


def _with_gate(settings: Settings, work: Callable[[Gate], Any], **gate_kw: Any) -> Any:
    async def run() -> Any:
        async with Copilot.open(settings) as copilot:
            gate = Gate(copilot, **gate_kw)
            gate.today = lambda: chain.TODAY
            return await work(gate)
    return asyncio.run(run())


def _ask(text: str, user: str = "U03", **kw: Any) -> Inbound:
    return Inbound("slack", user, kw.pop("thread", "C1:1"), text, kw.pop("direct", False), **kw)


@pytest.fixture
def linked(settings: Settings, chain_store: MemberStore) -> StateStore:
    state = StateStore.from_settings(settings)
    identity.link(state, chain_store, "slack", "U03", "E03")
    identity.link(state, chain_store, "slack", "U07", "E07")
    return state


def test_a_linked_person_is_answered_as_their_staff_record(settings: Settings,
                                                           linked: StateStore) -> None:
    out: Outbound = _with_gate(settings, lambda g: g.handle(_ask("朝阳店上个月复购率")))
    assert out.kind == "answer" and out.staff_id == "E03"
    assert out.result and out.result.tool_calls[0].name == "member_metrics"
    turn = records.get_turn(linked, out.turn_id or "")
    assert turn and turn["answer"] == out.text and turn["question"] == "朝阳店上个月复购率"


def test_an_unknown_person_gets_only_the_polite_refusal(settings: Settings,
                                                        linked: StateStore) -> None:
    out = _with_gate(settings, lambda g: g.handle(_ask("朝阳店上个月复购率", user="U404")))
    assert out.kind == "unregistered" and out.result is None
    assert "还没有登记" in out.text and "店长" in out.text
    with linked.begin() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM channel_turns")).scalar() == 0
        assert conn.execute(text("SELECT COUNT(*) FROM audit_log")).scalar() == 0


def test_a_trainee_is_refused_member_data_by_their_role(settings: Settings,
                                                        linked: StateStore) -> None:
    out = _with_gate(settings, lambda g: g.handle(_ask("朝阳店上个月复购率", user="U07")))
    assert out.kind == "answer" and "培训账号" in out.text


def test_the_rate_limit_counts_per_person_per_minute(settings: Settings,
                                                     linked: StateStore) -> None:
    now = [0.0]
    limit = RateLimit(2, clock=lambda: now[0])

    async def work(gate: Gate) -> list[str]:
        kinds = [(await gate.handle(_ask("你好"))).kind for _ in range(3)]
        kinds.append((await gate.handle(_ask("你好", user="U07"))).kind)  # someone else
        now[0] = 61.0
        kinds.append((await gate.handle(_ask("你好"))).kind)
        return kinds

    kinds = _with_gate(settings, work, limit=limit)
    assert kinds == ["answer", "answer", "limited", "answer", "answer"]


def test_bad_messages_and_failures_become_replies(settings: Settings, linked: StateStore,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    empty = _with_gate(settings, lambda g: g.handle(_ask("   ")))
    assert empty.kind == "refused" and "消息是空的" in empty.text

    async def broken(*args: Any, **kw: Any) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(Copilot, "turn", broken)
    failed = _with_gate(settings, lambda g: g.handle(_ask("朝阳店上个月复购率")))
    assert failed.kind == "failed" and "抱歉" in failed.text and "fire" not in failed.text


def test_an_event_is_taken_once_and_old_ones_are_forgotten(settings: Settings,
                                                           linked: StateStore) -> None:
    assert records.first_time(linked, "wecom", "m1")
    assert not records.first_time(linked, "wecom", "m1")
    assert records.first_time(linked, "slack", "m1")  # channels do not share ids
    assert records.forget_old_events(linked, now=datetime.now() + timedelta(days=3)) == 2
    assert records.first_time(linked, "wecom", "m1")


def test_feedback_replaces_and_rejects_bad_ratings(settings: Settings,
                                                   linked: StateStore) -> None:
    out = _with_gate(settings, lambda g: g.handle(_ask("朝阳店上个月复购率")))

    async def rate(gate: Gate) -> list[bool]:
        return [await gate.rate("slack", "U03", out.turn_id, 1),
                await gate.rate("slack", "U03", out.turn_id, -1),
                await gate.rate("slack", "U404", out.turn_id, 1)]

    assert _with_gate(settings, rate) == [True, True, False]
    turn = records.get_turn(linked, out.turn_id)
    assert turn and turn["rating"] == -1 and turn["rated_by"] == "E03"
    with pytest.raises(Exception, match="评价只能是"):
        records.rate_turn(linked, out.turn_id, "E03", 5)
    with pytest.raises(Exception, match="只有提问人可以评价"):
        records.rate_turn(linked, out.turn_id, "E07", 1)
    assert records.get_turn(linked, out.turn_id)["rating"] == -1

"""One worker sending a campaign in this process: the SMS outbox, the rules checked again at
send time, quiet hours, retries, stopping, and channels that cannot send."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import text

from copilot.campaigns import store
from copilot.campaigns.dispatch.channels.base import Content, Outcome, Recipient, no_record
from copilot.campaigns.dispatch.channels.sms import NO_PHONE, SmsOutbox
from copilot.campaigns.dispatch.runtime import Runtime
from copilot.config import Settings, get_settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.campaigns.dispatch.helpers import (
    TEXT,
    Clock,
    campaign_state,
    load_members,
    new_campaign,
    outbox,
    recipient_rows,
    set_opt_out,
    states,
)


@dataclass
class Flaky:
    """A sender whose every send is a passing failure; counts its calls."""

    channel: str = "sms"
    calls: list[list[str]] = field(default_factory=list)
    error: Exception | None = None

    async def send(self, content: Content, batch: list[Recipient]) -> list[Outcome]:
        self.calls.append([r.member_id for r in batch])
        if self.error:
            raise self.error
        return [Outcome(r.member_id, False, "短信平台繁忙", retry=True) for r in batch]

    def record(self, conn, content, sent) -> None:  # type: ignore[no-untyped-def]
        no_record(conn, content, sent)


def _with(sender: object):  # type: ignore[no-untyped-def]
    return lambda settings, state, http: {"sms": sender}


def test_an_sms_campaign_is_enqueued_once_per_recipient_and_done(
        settings: Settings, state: StateStore, members: MemberStore) -> None:
    ids = load_members(members, 40, no_phone=["M00001"])
    cid = new_campaign(state, ids, holdout=["M00003"])
    set_opt_out(members, ["M00002"])  # after the preview: only the send-time check sees it
    rt = Runtime(settings)
    tally = rt.run(cid)
    assert (tally.outcome, tally.sent, tally.skipped, tally.failed) == ("done", 37, 2, 0)
    rows = recipient_rows(state, cid)
    assert rows[("M00001", "sms")]["reason"] == NO_PHONE
    assert rows[("M00002", "sms")]["reason"] == "已退订营销消息"
    assert rows[("M00003", "sms")]["state"] == "holdout"
    assert states(state, cid) == {"sent": 37, "skipped": 2, "holdout": 1}
    sms = outbox(state, cid)
    assert sorted(r["key"] for r in sms) == sorted(f"{cid}:{m}:sms" for m in ids
                                                     if m not in ("M00001", "M00002",
                                                                  "M00003"))
    assert {r["text"] for r in sms} == {TEXT} and all(r["picked_at"] is None for r in sms)
    assert next(r for r in sms if r["member_id"] == "M00000")["phone"] == "13800000000"
    assert campaign_state(state, cid) == "done"
    finish = store.history(state, cid)[-1]
    assert (finish["actor"], finish["action"], finish["note"]) == (
        "system", "finish", "已发送 37,跳过 2,失败 0,对照组 1")
    assert rt.run(cid).outcome == "not_sending"  # a second delivery does nothing
    assert len(outbox(state, cid)) == 37
    rt.close()


def test_caps_are_checked_again_when_sending(configure, members: MemberStore) -> None:
    settings = configure(CAMPAIGN_DAILY_CAP="1")
    state = StateStore.from_settings(settings)
    ids = load_members(members, 10)
    first = new_campaign(state, ids[:4], name="第一波")
    second = new_campaign(state, ids, name="第二波")  # previewed before the first went out
    rt = Runtime(settings)
    assert rt.run(first).sent == 4
    tally = rt.run(second)
    assert (tally.sent, tally.skipped) == (6, 4)
    rows = recipient_rows(state, second)
    assert rows[("M00000", "sms")]["reason"] == "今天已收到 1 条(每天最多 1 条)"
    rt.close()


def test_quiet_hours_hold_starting_and_sending_until_morning(configure, members: MemberStore
                                                              ) -> None:
    settings = configure(CAMPAIGN_QUIET_START="21:00", CAMPAIGN_QUIET_END="09:00")
    state = StateStore.from_settings(settings)
    ids = load_members(members, 5)
    clock = Clock(datetime(2026, 11, 26, 8, 30))
    later = new_campaign(state, ids, status="scheduled", send_at=datetime(2026, 11, 26, 8, 0))
    running = new_campaign(state, ids, name="进行中")
    rt = Runtime(settings, clock=clock)
    assert rt.tick() == []
    assert campaign_state(state, later) == "scheduled"
    assert rt.run(running).outcome == "quiet"
    assert states(state, running) == {"pending": 5}
    clock.now = datetime(2026, 11, 26, 9, 0)
    assert sorted(rt.tick()) == sorted([later, running])
    assert campaign_state(state, later) == "sending"
    assert rt.run(later).outcome == rt.run(running).outcome == "done"
    rt.close()


def test_a_campaign_found_hours_after_its_send_time_is_not_sent(
        settings: Settings, state: StateStore, members: MemberStore) -> None:
    ids = load_members(members, 3)
    clock = Clock(datetime(2026, 11, 30, 10, 0))  # the worker was down all weekend
    missed = new_campaign(state, ids, status="scheduled", send_at=datetime(2026, 11, 28, 10, 0))
    late = new_campaign(state, ids, status="scheduled", send_at=datetime(2026, 11, 30, 9, 0),
                        name="一小时前")
    rt = Runtime(settings, clock=clock)
    assert rt.tick() == [late]
    assert campaign_state(state, missed) == "failed" and states(state, missed) == {"pending": 3}
    notes = [e["note"] for e in store.history(state, missed) if e["action"] == "fail"]
    assert notes and "错过发送时间 2026-11-28 10:00" in notes[0]
    assert rt.run(late).outcome == "done"
    rt.close()


def test_passing_failures_are_tried_again_later_then_fail(
        settings: Settings, state: StateStore, members: MemberStore) -> None:
    ids = load_members(members, 3)
    cid = new_campaign(state, ids)
    clock = Clock(get_settings().now())
    flaky = Flaky()
    rt = Runtime(settings, clock=clock, make_senders=_with(flaky))
    assert rt.run(cid).retried == 3
    assert rt.run(cid).outcome == "sending" and len(flaky.calls) == 1  # not due yet
    assert rt.tick() == []
    clock.advance(31)
    assert rt.tick() == [cid]
    assert rt.run(cid).retried == 3
    clock.advance(61)
    tally = rt.run(cid)
    assert (tally.failed, tally.outcome) == (3, "failed")
    assert len(flaky.calls) == 3
    rows = recipient_rows(state, cid)
    assert {r["reason"] for r in rows.values()} == {"短信平台繁忙(已尝试 3 次)"}
    assert campaign_state(state, cid) == "failed"
    rt.close()


def test_an_adapter_that_raises_is_a_passing_failure(
        settings: Settings, state: StateStore, members: MemberStore) -> None:
    cid = new_campaign(state, load_members(members, 2))
    rt = Runtime(settings, make_senders=_with(Flaky(error=RuntimeError("boom"))))
    assert rt.run(cid).retried == 2
    assert {r["reason"] for r in recipient_rows(state, cid).values()} == {"发送出错:RuntimeError"}
    rt.close()


class Noting(SmsOutbox):
    """The outbox, noting each batch it records."""

    def __init__(self) -> None:
        self.recorded: list[int] = []

    def record(self, conn, content, sent) -> None:  # type: ignore[no-untyped-def]
        super().record(conn, content, sent)
        self.recorded.append(len(sent))


def test_stopping_hands_back_what_was_not_tried(configure, members: MemberStore) -> None:
    settings = configure(CAMPAIGN_SEND_RATE='{"sms": 4}')  # slices of 2
    state = StateStore.from_settings(settings)
    cid = new_campaign(state, load_members(members, 10))
    sms = Noting()
    rt = Runtime(settings, make_senders=_with(sms))
    rt.stopping = lambda: bool(sms.recorded)  # asked to stop once the first slice is out
    tally = rt.run(cid)
    assert (tally.outcome, tally.sent, sms.recorded) == ("stopped", 2, [2])
    rows = recipient_rows(state, cid)
    assert sorted((r["state"], r["attempts"], r["claimed_by"]) for r in rows.values()
                  if r["state"] != "sent") == [("pending", 0, None)] * 8
    rt.close()
    rest = Runtime(configure(CAMPAIGN_SEND_RATE='{"sms": 1000}'))
    assert rest.run(cid).outcome == "done" and len(outbox(state, cid)) == 10
    rest.close()


def test_worn_out_claims_fail_and_an_unconfigured_channel_fails_with_the_reason(
        settings: Settings, state: StateStore, members: MemberStore) -> None:
    ids = load_members(members, 4)
    cid = new_campaign(state, ids, channels=("sms", "wecom_group"))
    with state.begin() as conn:  # M00000's last three workers all died holding it
        conn.execute(text("UPDATE campaign_recipients SET state = 'claimed', attempts = 3, "
                          "claimed_by = 'dead', claim_until = :t WHERE member_id = 'M00000' "
                          "AND channel = 'sms'"), {"t": get_settings().now() - timedelta(hours=1)})
    rt = Runtime(settings)
    tally = rt.run(cid)
    assert (tally.sent, tally.failed, tally.outcome) == (3, 5, "done")
    rows = recipient_rows(state, cid)
    assert rows[("M00000", "sms")]["reason"] == "尝试 3 次都没有确认发出"
    assert all("企业微信" in rows[(m, "wecom_group")]["reason"] for m in ids)
    rt.close()

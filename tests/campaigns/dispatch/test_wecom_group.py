"""The wecom_group adapter (one task per campaign and staff member, whatever the batches),
and tracking whether staff have confirmed their tasks in WeCom."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from copilot.campaigns.dispatch.channels import wecom
from copilot.campaigns.dispatch.channels import wecom_tasks as tasks
from copilot.config import Settings
from tests.campaigns.dispatch.wecom_rig import CONTENT, Rig, ext, open_rig, rcpt

ADD = "externalcontact/add_msg_template"
GROUP_KEY = tasks.TaskKey(CONTENT.campaign_id, "E01", "group", tasks.GROUP_KEY)


@pytest.fixture
def rig(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from open_rig(settings, monkeypatch)


def grcpt(member_id: str, staff: str | None, **kw: Any) -> Any:
    return rcpt(member_id, staff, "wecom_group", **kw)


def test_every_batch_of_a_staff_member_maps_to_their_one_group_task(rig: Rig) -> None:
    out = rig.send([grcpt("M01", "E01"), grcpt("M02", "E02"), grcpt("M03", "E01"),
                    grcpt("M04", "E04"), grcpt("M05", None, external=None)])
    assert out["M01"].ok and out["M02"].ok and out["M03"].ok
    assert out["M04"].reason == "导购 E04 还没有绑定企业微信" and not out["M04"].ok
    assert out["M05"].skip
    assert sorted((b["chat_type"], b["sender"], b["text"]["content"]) for b in rig.templates()
                  ) == [("group", "lina", CONTENT.text), ("group", "wangfang", CONTENT.text)]
    assert all("external_userid" not in b for b in rig.templates())

    later = rig.send([grcpt("M06", "E01"), grcpt("M01", "E01", attempts=1)])
    assert all(o.ok for o in later.values())
    assert len(rig.wecom.calls_to(ADD)) == 2
    assert [(r.key.staff_id, r.key.chat_type, r.state) for r in rig.rows()] == [
        ("E01", "group", "created"), ("E02", "group", "created")]


def test_group_errors_and_a_retry(rig: Rig) -> None:
    rig.wecom.faults.fail_next(ADD, 45009)
    out = rig.send([grcpt("M01", "E01")])
    assert out["M01"].retry and "超过频率限制" in (out["M01"].reason or "")
    assert not rig.rows()
    assert rig.send([grcpt("M01", "E01", attempts=1)])["M01"].ok
    assert len(rig.wecom.groupmsg.tasks) == 1


def test_a_lost_group_reply_is_adopted_once_the_row_is_stale(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wecom, "STALE_S", 0.3)
    monkeypatch.setattr(wecom, "WAIT_STEP_S", 0.05)
    rig.wecom.faults.lose_reply(ADD)
    assert rig.send([grcpt("M01", "E01")])["M01"].retry
    out = rig.send([grcpt("M02", "E01"), grcpt("M01", "E01", attempts=1)])
    assert all(o.ok for o in out.values())
    assert len(rig.wecom.groupmsg.tasks) == 1 and len(rig.wecom.calls_to(ADD)) == 1
    assert rig.rows()[0].msgid == rig.wecom.groupmsg.tasks[0].msgid


def test_a_group_task_being_created_by_another_worker_is_waited_for(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wecom, "WAIT_STEP_S", 0.05)
    assert tasks.claim(rig.state, GROUP_KEY, "wangfang", 3)  # the other worker's call

    async def work(sender: Any) -> Any:
        async def other_worker_finishes() -> None:
            await asyncio.sleep(0.3)
            await asyncio.to_thread(tasks.mark_created, rig.state, GROUP_KEY, "msg-other", ())
        done = asyncio.create_task(other_worker_finishes())
        outcomes = await sender.send(CONTENT, [grcpt("M07", "E01")])
        await done
        return outcomes

    outcomes = rig.run(work, "wecom_group")
    assert [o.ok for o in outcomes] == [True]
    assert not rig.wecom.calls_to(ADD) and not rig.wecom.calls_to(
        "externalcontact/get_groupmsg_list_v2")


def test_confirmations_are_tracked_per_staff_member(rig: Rig) -> None:
    rig.send([rcpt("M01", "E01"), rcpt("M02", "E01"), rcpt("M03", "E01"), rcpt("M04", "E02")])
    rig.send([grcpt("M01", "E01")])
    before = rig.check()
    assert (before.waiting, before.sent, before.waiting_staff) == (3, 0, ("E01", "E02"))
    assert before.line() == "2 位导购还没在企业微信里确认发送"
    assert all(r.checked_at is not None for r in rig.rows())

    # 王芳 confirms both her tasks; M02 had meanwhile deleted her (status 2)
    assert rig.wecom.groupmsg.mark_sent("wangfang", failed={ext("M02"): 2}) == 2
    after = rig.check()
    assert (after.waiting, after.sent, after.waiting_staff) == (1, 2, ("E02",))
    assert after.line() == "1 位导购还没在企业微信里确认发送"
    assert (after.received_members, after.received_groups) == (2, 2)
    mine = {r.key.chat_type: r for r in rig.rows() if r.key.staff_id == "E01"}
    assert (mine["single"].state, mine["single"].received) == ("sent", 2)

    rig.wecom.groupmsg.mark_sent("lina")
    done = rig.check()
    assert done.line() is None and done.received_members == 3 and done.tasks == 3
    calls = len(rig.wecom.calls_to("externalcontact/get_groupmsg_task"))
    rig.check()  # nothing waits any more: WeCom is not asked again
    assert len(rig.wecom.calls_to("externalcontact/get_groupmsg_task")) == calls
    assert wecom.summary(rig.state, CONTENT.campaign_id) == done

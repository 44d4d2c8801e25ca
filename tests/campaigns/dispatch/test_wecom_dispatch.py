"""A WeCom customer mass-send campaign through the dispatcher: one task per staff member
for the whole batch (each staff member confirms each task in WeCom), paced by API calls
rather than by customers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from copilot.campaigns.dispatch.pace import Pace
from copilot.campaigns.dispatch.runtime import Runtime
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.campaigns.dispatch.helpers import campaign_state, load_members, new_campaign, states
from tests.campaigns.dispatch.wecom_rig import Rig, open_rig


@pytest.fixture
def rig(settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from open_rig(settings, monkeypatch)


def _two_staff(state: StateStore, members: MemberStore, n: int) -> str:
    ids = load_members(members, n)
    cid = new_campaign(state, ids, channels=["wecom_customer"])
    with state.begin() as conn:  # every other member belongs to E02
        conn.execute(text("UPDATE campaign_recipients SET staff_id = 'E02' WHERE "
                          "campaign_id = :c AND CAST(SUBSTR(member_id, 2) AS INTEGER) % 2 = 1"),
                     {"c": cid})
    return cid


def test_a_batch_goes_out_as_one_task_per_staff(rig: Rig, members: MemberStore) -> None:
    cid = _two_staff(rig.state, members, 60)
    tally = Runtime(rig.settings).run(cid)  # 20 a second: slices of 10 would make 6 tasks
    assert (tally.outcome, tally.sent) == ("done", 60)
    made = rig.templates()
    assert sorted(t["sender"] for t in made) == ["lina", "wangfang"]
    assert sorted(len(t["external_userid"]) for t in made) == [30, 30]
    assert states(rig.state, cid) == {"sent": 60} and campaign_state(rig.state, cid) == "done"


def test_small_batches_keep_a_staff_members_customers_together(rig: Rig,
                                                              members: MemberStore) -> None:
    cfg = rig.settings.model_copy(update={"campaign": rig.settings.campaign.model_copy(
        update={"batch_size": 25})})
    cid = _two_staff(rig.state, members, 60)
    assert Runtime(cfg).run(cid).sent == 60
    # claimed by staff: E01's 30 in batches of 25 + 5, E02's in 20 + 10 → four tasks, where
    # batches mixing both staff at random would make up to six
    sizes = sorted(len(t["external_userid"]) for t in rig.templates())
    assert sizes == [5, 10, 20, 25]


def test_pace_counts_tasks_for_wecom_and_messages_for_sms() -> None:
    from copilot.campaigns.dispatch.channels.base import Recipient

    part = [Recipient("c", f"M{i}", "wecom_customer", "S001", f"E{i % 3}", 0) for i in range(9)]
    pace = Pace({"wecom_customer": 20, "sms": 100})
    assert pace.units("wecom_customer", part) == 3 and pace.units("sms", part) == 9
    assert pace.slice_size("wecom_customer") >= 10_000 and pace.slice_size("sms") == 50


def test_the_worker_follows_up_on_tasks_until_the_staff_confirm(rig: Rig,
                                                                 members: MemberStore) -> None:
    from copilot.campaigns.dispatch.channels.wecom_status import summary

    cid = _two_staff(rig.state, members, 10)
    rt = Runtime(rig.settings)
    rt.run(cid)
    assert summary(rig.state, cid).line() == "2 位导购还没在企业微信里确认发送"
    assert rig.wecom.groupmsg.mark_sent("wangfang") == 1  # 王芳 confirms in WeCom
    assert rt.track() == 1
    after = summary(rig.state, cid)
    assert after.waiting_staff == ("E02",) and after.received_members == 5
    shown = campaign_status_text(rig, cid)
    assert "1 位导购还没在企业微信里确认发送" in shown


def campaign_status_text(rig: Rig, campaign_id: str) -> str:
    from copilot.data.access import Caller, User
    from tools.base import ToolContext
    from tools.runner import run_tool

    admin = User("E06", "刘洋", "admin", None, None)
    ctx = ToolContext(rig.settings, MemberStore.from_settings(rig.settings), rig.state,
                      Caller(admin))
    out = run_tool(ctx, "campaign_status", {"campaign": campaign_id})
    assert out.ok, out.error
    return out.text("zh")

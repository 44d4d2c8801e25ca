"""What waits for whom, who decides, and deciding twice."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from copilot.agent.turn import ToolCall, TurnResult
from copilot.campaigns import approvals, store
from copilot.config import Settings
from copilot.data.access import User, load_user
from copilot.data.store import MemberStore
from copilot.errors import UserError
from copilot.state.db import StateStore

T0 = datetime(2026, 11, 25, 10, 0)


@pytest.fixture
def state(settings: Settings) -> StateStore:
    return StateStore.from_settings(settings)


def user(members: MemberStore, staff_id: str) -> User:
    with members.read() as conn:
        return load_user(conn, staff_id)


def waiting(state: StateStore, members: MemberStore, *, by: str = "E03", region: str = "华北",
            name: str = "周六会员日", at: datetime = T0) -> str:
    """A campaign its requester has previewed and confirmed, now pending approval."""
    requester = user(members, by)
    cid = store.create(state, store.NewCampaign(
        name=name, created_by=by, region=region, stores=["S001"],
        segment={"id": "seg1", "name": "金卡组"},
        content="周六会员日全场9折\n\n金卡会员再享双倍积分。" * 4, channels=["wecom_group", "sms"],
        send_at=at + timedelta(days=3), holdout_share=0.1, audience=5000,
        needs_approval=True), now=at)
    store.act(state, cid, "preview", requester, now=at)
    assert store.act(state, cid, "confirm", requester, now=at).state == "pending_approval"
    return cid


def test_each_role_sees_what_it_may_approve(state: StateStore,
                                            chain_store: MemberStore) -> None:
    north = waiting(state, chain_store)
    south = waiting(state, chain_store, by="E08", region="华南", name="华南周末",
                    at=T0 + timedelta(hours=1))
    ids = {s: [c.campaign_id for c in approvals.awaiting(state, chain_store,
                                                          user(chain_store, s))]
           for s in ("E05", "E08", "E06", "E03", "E01", "E07")}
    assert ids == {"E05": [north], "E08": [], "E06": [north, south], "E03": [], "E01": [],
                   "E07": []}  # E08 requested the 华南 one: not his to approve
    [item] = approvals.awaiting(state, chain_store, user(chain_store, "E05"))
    assert (item.name, item.requester, item.requester_name, item.audience) == (
        "周六会员日", "E03", "赵敏", 5000)
    assert item.channels_zh == "企业微信客户群、短信" and item.segment == "金卡组"
    assert item.send_at == T0 + timedelta(days=3) and item.created_at == T0
    assert item.preview.startswith("周六会员日全场9折 金卡会员") and item.preview.endswith("…")
    assert len(item.preview) == approvals.PREVIEW_CHARS + 1
    assert any("编号 " + north in line for line in item.lines())


def test_approvers_are_the_regions_supervisors_and_the_admins(
        state: StateStore, chain_store: MemberStore) -> None:
    north = waiting(state, chain_store)
    assert approvals.approvers(state, chain_store, north) == ["E05", "E06"]
    south = waiting(state, chain_store, by="E08", region="华南", name="华南周末")
    assert approvals.approvers(state, chain_store, store.get(state, south)) == ["E06"]


def test_the_right_person_approves_once(state: StateStore, chain_store: MemberStore) -> None:
    cid = waiting(state, chain_store)
    for who, why in (("E03", "不能审批自己发起的活动"), ("E08", "所在区域的督导"),
                     ("E01", "所在区域的督导")):
        with pytest.raises(UserError, match=why):
            approvals.decide(state, cid, user(chain_store, who), True)
    assert store.get(state, cid).state == "pending_approval"
    done = approvals.decide(state, cid, user(chain_store, "E05"), True, "可以",
                            now=T0 + timedelta(minutes=5))
    assert done.state == "scheduled"
    for who in ("E05", "E06"):  # again, or another approver after him
        with pytest.raises(UserError, match=r"已经处理过了\(现在是已排期\)"):
            approvals.decide(state, cid, user(chain_store, who), False)
    assert store.get(state, cid).state == "scheduled"
    decision = approvals.last_decision(state, cid)
    assert decision is not None and (decision["actor"], decision["action"], decision["note"],
                                     decision["at"]) == ("E05", "approve", "可以",
                                                         T0 + timedelta(minutes=5))
    assert approvals.awaiting(state, chain_store, user(chain_store, "E05")) == []


def test_a_rejection_cancels_and_is_final(state: StateStore, chain_store: MemberStore) -> None:
    cid = waiting(state, chain_store)
    assert approvals.decide(state, cid, user(chain_store, "E06"), False,
                            "人太多").state == "cancelled"
    with pytest.raises(UserError, match=r"已经处理过了\(现在是已取消\)"):
        approvals.decide(state, cid, user(chain_store, "E05"), True)
    with pytest.raises(UserError, match="找不到活动"):
        approvals.decide(state, "nope", user(chain_store, "E05"), True)


def test_mine_lists_a_requesters_campaigns(state: StateStore,
                                           chain_store: MemberStore) -> None:
    first = waiting(state, chain_store)
    second = waiting(state, chain_store, name="双十二", at=T0 + timedelta(days=1))
    approvals.decide(state, first, user(chain_store, "E05"), True)
    rows = approvals.mine(state, chain_store, user(chain_store, "E03"))
    assert [(r.campaign_id, r.state_zh) for r in rows] == [(second, "待督导审批"),
                                                           (first, "已排期")]
    assert approvals.mine(state, chain_store, user(chain_store, "E05")) == []


def test_follow_ups_read_a_turns_campaign_decisions() -> None:
    def call(name: str, ok: bool = True, **result: str) -> ToolCall:
        return ToolCall(name=name, args={}, ok=ok, result=result or None)

    turn = TurnResult(answer="", tool_calls=[
        call("confirm_campaign", campaign_id="c1", state="pending_approval"),
        call("confirm_campaign", campaign_id="c2", state="scheduled"),  # small: no approval
        call("confirm_campaign", ok=False),
        call("approve_campaign", campaign_id="c3", state="cancelled"),
        call("query_members")])
    assert approvals.follow_ups(turn) == [("approvers", "c1"), ("requester", "c3")]

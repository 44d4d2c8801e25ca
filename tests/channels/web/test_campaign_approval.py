"""Campaign approval in the console: the dashboard's section, its forms checked on the
server for the signed-in person, and the read-only list of one's own campaigns."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from copilot.campaigns import store
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.campaigns.test_approvals import waiting
from tests.channels.web.conftest import DAY, SignIn
from tests.channels.web.test_dashboard import _section, _text

BOARD = f"/console/dashboard?today={DAY}"


@pytest.fixture
def state(settings: Settings) -> StateStore:
    return StateStore.from_settings(settings)


@pytest.fixture
def cid(state: StateStore, chain_store: MemberStore) -> str:
    return waiting(state, chain_store)  # by E03 (朝阳店店长), 华北, waiting for approval


def _post(client: TestClient, cid: str, action: str, **form: str):
    return client.post(f"/console/campaigns/{cid}/{action}", data={"next": BOARD, **form},
                       follow_redirects=False)


def test_a_supervisor_sees_what_waits_and_approves_it(client: TestClient, sign_in: SignIn,
                                                      state: StateStore, cid: str) -> None:
    sign_in("E05")
    section = _section(client.get(BOARD).text, "campaigns")
    shown = _text(section)
    assert "活动审批" in shown and "周六会员日" in shown and cid in shown
    assert "赵敏(E03)" in shown and "5000 人" in shown and "企业微信客户群、短信" in shown
    assert "2026-11-28 10:00" in shown and "周六会员日全场9折" in shown
    assert f'action="/console/campaigns/{cid}/approve"' in section
    assert f'action="/console/campaigns/{cid}/reject"' in section

    done = _post(client, cid, "approve")
    assert done.status_code == 303 and done.headers["location"] == BOARD
    assert store.get(state, cid).state == "scheduled"
    page = client.get(BOARD).text
    assert "已通过活动“周六会员日”" in _text(page)
    assert "没有待你审批的活动" in _text(_section(page, "campaigns"))
    assert "已通过活动" not in client.get(BOARD).text  # the notice is shown once

    _post(client, cid, "reject")  # a second press, from a page still showing the buttons
    assert "已经处理过了(现在是已排期)" in _text(client.get(BOARD).text)
    assert store.get(state, cid).state == "scheduled"


def test_a_rejection_with_a_reason(client: TestClient, sign_in: SignIn, state: StateStore,
                                   cid: str) -> None:
    sign_in("E06")  # an admin: every region
    assert cid in _section(client.get(BOARD).text, "campaigns")
    _post(client, cid, "reject", note="人数太多,分两批发")
    assert store.get(state, cid).state == "cancelled"
    assert store.history(state, cid)[-1]["note"] == "人数太多,分两批发"
    assert "已驳回活动“周六会员日”" in _text(client.get(BOARD).text)


@pytest.mark.parametrize(("staff", "why"), [
    ("E03", "不能审批自己发起的活动"),  # the requester, with a forged form
    ("E08", "只有活动所在区域的督导或管理员可以审批"),  # 华南's supervisor
    ("E01", "只有活动所在区域的督导或管理员可以审批"),  # a guide
])
def test_the_server_refuses_the_wrong_person(client: TestClient, sign_in: SignIn,
                                             state: StateStore, cid: str, staff: str,
                                             why: str) -> None:
    sign_in(staff)
    assert _post(client, cid, "approve").status_code == 303
    assert why in _text(client.get(BOARD).text)
    assert store.get(state, cid).state == "pending_approval"


def test_who_sees_an_approval_section(client: TestClient, sign_in: SignIn, cid: str) -> None:
    sign_in("E08")
    assert "没有待你审批的活动" in _text(_section(client.get(BOARD).text, "campaigns"))
    for staff in ("E03", "E01"):  # store manager and guide: no section at all
        sign_in(staff)
        assert 'id="campaigns"' not in client.get(BOARD).text


def test_signed_out_posts_change_nothing(client: TestClient, state: StateStore,
                                         cid: str) -> None:
    got = _post(client, cid, "approve")
    assert got.status_code == 303 and got.headers["location"].startswith("/console/login")
    assert store.get(state, cid).state == "pending_approval"


def test_the_campaign_list_shows_ones_own_campaigns(client: TestClient, sign_in: SignIn,
                                                    cid: str) -> None:
    sign_in("E03")
    page = client.get("/console/campaigns")
    assert page.status_code == 200
    rows = _text(_section(page.text, "my-campaigns"))
    assert "周六会员日" in rows and cid in rows and "待督导审批" in rows
    sign_in("E05")
    page = client.get("/console/campaigns").text
    assert "你还没有发起过活动" in _text(page) and "另有 1 个活动等你审批" in _text(page)

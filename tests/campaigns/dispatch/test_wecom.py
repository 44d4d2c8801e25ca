"""The wecom_customer adapter against the mock WeCom API: one task per staff member, the
members WeCom refuses, who cannot be sent to, errors, and the crash window WeCom's lack of
an idempotency key leaves open."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from copilot.campaigns.dispatch.channels import wecom
from copilot.campaigns.dispatch.channels import wecom_tasks as tasks
from copilot.campaigns.dispatch.channels.wecom_groupmsg import TEXT_LIMIT
from copilot.channels import identity
from copilot.channels.wecom.api import WeComError
from copilot.config import Settings
from tests.campaigns.dispatch.wecom_rig import CONTENT, Rig, ext, open_rig, rcpt
from tests.conftest import pg_schema_url

ADD = "externalcontact/add_msg_template"


@pytest.fixture
def rig(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    yield from open_rig(settings, monkeypatch)


@pytest.fixture(autouse=True)
def _earlier_rows_are_old(request: pytest.FixtureRequest,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A retry here comes after the earlier worker's claim expired, long after its row
    was written; the test of a row still fresh says so with the `fresh` marker."""
    if request.node.get_closest_marker("fresh") is None:
        monkeypatch.setattr(wecom, "_fresh", lambda row: False)


def test_a_batch_makes_one_task_per_staff_and_sending_it_again_makes_none(rig: Rig) -> None:
    batch = [rcpt("M03", "E01"), rcpt("M01", "E01"), rcpt("M05", "E02"), rcpt("M02", "E01"),
             rcpt("M04", "E02")]
    first = rig.send(batch)
    assert all(o.ok and o.reason is None for o in first.values())
    sent = sorted(rig.templates(), key=lambda b: b["sender"])
    assert sent == [
        {"chat_type": "single", "sender": "lina", "text": {"content": CONTENT.text},
         "external_userid": [ext("M04"), ext("M05")]},
        {"chat_type": "single", "sender": "wangfang", "text": {"content": CONTENT.text},
         "external_userid": [ext("M01"), ext("M02"), ext("M03")]}]
    rows = rig.rows()
    assert [(r.key.staff_id, r.state, r.members) for r in rows] == [
        ("E01", "created", 3), ("E02", "created", 2)]
    assert {r.msgid for r in rows} == {t.msgid for t in rig.wecom.groupmsg.tasks}

    again = rig.send([rcpt(r.member_id, r.staff_id, attempts=1) for r in reversed(batch)])
    assert again == first
    assert len(rig.wecom.calls_to(ADD)) == 2  # nothing new in WeCom


def test_members_wecom_refuses_fail_with_the_reason(rig: Rig) -> None:
    rig.wecom.groupmsg.not_customers = {ext("M02")}
    out = rig.send([rcpt("M01", "E01"), rcpt("M02", "E01")])
    assert out["M01"].ok
    assert not out["M02"].ok and not out["M02"].retry
    assert out["M02"].reason == "企业微信未接受:不是导购 E01 的客户,或已删除好友"
    assert rig.rows()[0].failed == {"M02"}
    again = rig.send([rcpt("M01", "E01", attempts=1), rcpt("M02", "E01", attempts=1)])
    assert again == out and len(rig.templates()) == 1


def test_who_cannot_be_sent_to_is_told_apart(rig: Rig) -> None:
    out = rig.send([rcpt("M01", "E01"), rcpt("M02", "E01", external=None),
                    rcpt("M03", "E04"), rcpt("M04", None)])
    assert out["M01"].ok
    assert (out["M02"].reason, out["M02"].skip) == ("没有企业微信外部联系人 ID", True)
    assert (out["M03"].reason, out["M03"].skip, out["M03"].retry) == (
        "导购 E04 还没有绑定企业微信", False, False)
    assert (out["M04"].reason, out["M04"].skip) == ("没有所属导购,无法用企业微信群发", True)
    assert [b["external_userid"] for b in rig.templates()] == [[ext("M01")]]


def test_the_latest_wecom_link_of_a_staff_member_is_the_sender(rig: Rig) -> None:
    rig.link("wangfang2", "E01")
    assert identity.users_of(rig.state, "wecom", ["E01", "E02", "E04"]) == {
        "E01": "wangfang2", "E02": "lina"}
    rig.send([rcpt("M01", "E01")])
    assert rig.templates()[0]["sender"] == "wangfang2"


def test_an_expired_token_is_refreshed_by_the_client(rig: Rig) -> None:
    rig.wecom.expire_token()
    out = rig.send([rcpt("M01", "E01")])
    assert out["M01"].ok
    assert [c.errcode for c in rig.wecom.calls_to(ADD)] == [42001, 0]
    assert rig.wecom.token_fetches == 2 and len(rig.wecom.groupmsg.tasks) == 1


@pytest.mark.parametrize(("code", "retry", "reason"), [
    (-1, True, "企业微信系统繁忙(errcode -1),稍后重试"),
    (45033, True, "企业微信接口并发调用超过限制(errcode 45033),稍后重试"),
    (48002, False, "企业微信拒绝了群发:应用没有客户联系接口的权限"),
    (40003, False, "企业微信拒绝了群发:导购绑定的企业微信账号不存在"),
    (41099, False, "企业微信接口 externalcontact/add_msg_template 拒绝了请求(errcode 41099"),
])
def test_errors_from_wecom_say_whether_to_retry(rig: Rig, code: int, retry: bool,
                                                reason: str) -> None:
    rig.wecom.faults.fail_next(ADD, code, "refused")
    out = rig.send([rcpt("M01", "E01"), rcpt("M02", "E01")])
    for o in out.values():
        assert not o.ok and o.retry is retry and o.reason is not None
        assert o.reason.startswith(reason), o.reason
    # WeCom answered, so no task exists: a passing error leaves nothing behind, a
    # permanent one a failed row saying why
    assert [(r.state, r.reason) for r in rig.rows()] == ([] if retry else [("failed", o.reason)])
    again = rig.send([rcpt("M01", "E01", attempts=1), rcpt("M02", "E01", attempts=1)])
    assert all(o.ok for o in again.values())
    assert len(rig.wecom.groupmsg.tasks) == 1 and rig.rows()[0].state == "created"


def test_a_lost_reply_is_reconciled_not_sent_twice(rig: Rig) -> None:
    """The worker called WeCom, WeCom made the task, the answer never came back (or the
    worker died): the retry finds the task in WeCom's list and adopts it."""
    rig.send([rcpt("M09", "E01")])  # an earlier task with the same text, already recorded
    rig.wecom.groupmsg.add_personal("wangfang", CONTENT.text)  # one she wrote herself
    rig.wecom.faults.lose_reply(ADD)
    batch = [rcpt("M01", "E01"), rcpt("M02", "E01")]
    out = rig.send(batch)
    assert all(not o.ok and o.retry for o in out.values())
    assert "连不上企业微信接口" in (out["M01"].reason or "")
    made = rig.wecom.groupmsg.tasks_of("wangfang")[-1]
    assert made.targets == [ext("M01"), ext("M02")]
    assert [r.state for r in rig.rows()] == ["created", "creating"]

    again = rig.send([rcpt(r.member_id, "E01", attempts=1) for r in batch])
    assert all(o.ok for o in again.values())
    assert len(rig.wecom.calls_to(ADD)) == 2  # M09's, and the lost one: none since
    assert rig.wecom.calls_to("externalcontact/get_groupmsg_list_v2")
    assert made.msgid in {r.msgid for r in rig.rows()}
    assert [r.state for r in rig.rows()] == ["created", "created"]


def test_a_lost_task_adopted_for_a_regrouped_batch_sends_only_the_rest(rig: Rig) -> None:
    rig.wecom.faults.lose_reply(ADD)
    rig.send([rcpt("M01", "E01"), rcpt("M02", "E01")])
    out = rig.send([rcpt("M01", "E01", attempts=1), rcpt("M02", "E01", attempts=1),
                    rcpt("M03", "E01")])
    assert all(o.ok for o in out.values())
    assert [t.targets for t in rig.wecom.groupmsg.tasks] == [[ext("M01"), ext("M02")],
                                                           [ext("M03")]]


def test_a_creating_row_with_no_task_in_wecom_is_sent_afresh(rig: Rig) -> None:
    """The worker died before its call reached WeCom."""
    targets = {"M01": ext("M01")}
    key = tasks.TaskKey(CONTENT.campaign_id, "E01", "single", tasks.batch_key(targets))
    assert tasks.claim(rig.state, key, "wangfang", 1, targets)
    out = rig.send([rcpt("M01", "E01", attempts=1)])
    assert out["M01"].ok and len(rig.wecom.groupmsg.tasks) == 1
    assert [r.state for r in rig.rows()] == ["created"]


def test_a_staff_member_with_over_ten_thousand_members_gets_two_tasks(rig: Rig) -> None:
    batch = [rcpt(f"M{i:05d}", "E01") for i in range(10_001)]
    out = rig.send(batch)
    assert all(o.ok for o in out.values())
    assert [len(b["external_userid"]) for b in rig.templates()] == [10_000, 1]


def test_content_over_wecoms_limit_and_wecom_not_configured(rig: Rig) -> None:
    long = CONTENT.__class__(CONTENT.campaign_id, CONTENT.name, "长" * (TEXT_LIMIT // 3 + 1),
                             CONTENT.created_by)
    out = rig.send([rcpt("M01", "E01")], content=long)
    assert out["M01"].reason == "群发内容超过企业微信 4000 字节的上限" and not rig.templates()
    bare = rig.settings.model_copy(update={"wecom_secret": None})
    with pytest.raises(WeComError, match="COPILOT_WECOM_SECRET"):
        wecom.customer_sender(bare, rig.state, None)  # type: ignore[arg-type]


def test_the_task_table_on_postgresql(settings: Settings, monkeypatch: pytest.MonkeyPatch,
                                      pg_server: str) -> None:
    with pg_schema_url(pg_server) as url, contextlib.contextmanager(open_rig)(
            settings.model_copy(update={"state_url": url}), monkeypatch) as rig:
        assert rig.state.kind == "postgresql"
        rig.wecom.faults.fail_next(ADD, 48002)
        assert not rig.send([rcpt("M01", "E01")])["M01"].retry
        assert rig.send([rcpt("M01", "E01", attempts=1)])["M01"].ok  # the failed row, reused
        rig.wecom.faults.lose_reply(ADD)
        rig.send([rcpt("M02", "E01"), rcpt("M03", "E02")])
        out = rig.send([rcpt("M02", "E01", attempts=1), rcpt("M03", "E02", attempts=1)])
        assert all(o.ok for o in out.values()) and len(rig.wecom.groupmsg.tasks) == 3
        rig.wecom.groupmsg.mark_sent("wangfang")
        assert rig.check().waiting_staff == ("E02",)
        assert [(r.key.staff_id, r.state, r.received) for r in rig.rows()] == [
            ("E01", "sent", 1), ("E01", "sent", 1), ("E02", "created", None)]


def test_a_task_another_worker_adopts_meanwhile_is_not_made_again(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """M01–M03's task was lost; the dispatcher hands M01 and M03 to two workers, and the
    other one records the task just before this one looks it up."""
    rig.wecom.faults.lose_reply(ADD)
    rig.send([rcpt("M01", "E01"), rcpt("M02", "E01"), rcpt("M03", "E01")])
    made = rig.wecom.groupmsg.tasks[0]
    real = tasks.known_msgids

    def other_worker_first(state: object) -> set[str]:
        [row] = rig.rows()
        tasks.mark_created(rig.state, row.key, made.msgid, ())
        return real(rig.state)

    monkeypatch.setattr(tasks, "known_msgids", other_worker_first)
    assert rig.send([rcpt("M03", "E01", attempts=1)])["M03"].ok
    assert len(rig.wecom.groupmsg.tasks) == 1
    assert [(r.state, r.msgid) for r in rig.rows()] == [("created", made.msgid)]


@pytest.mark.fresh
def test_a_task_another_worker_is_still_making_is_left_to_it(rig: Rig) -> None:
    """A worker whose claim ran out is still calling WeCom: the next worker neither adopts
    nor drops its fresh row, and makes no second task; it tries again later."""
    targets = {"M01": ext("M01")}
    key = tasks.TaskKey(CONTENT.campaign_id, "E01", "single", tasks.batch_key(targets))
    assert tasks.claim(rig.state, key, "wangfang", 1, targets)
    out = rig.send([rcpt("M01", "E01", attempts=1)])
    assert not out["M01"].ok and out["M01"].retry and "稍后重试" in (out["M01"].reason or "")
    assert rig.wecom.calls_to(ADD) == [] and [r.state for r in rig.rows()] == ["creating"]

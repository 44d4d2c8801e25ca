"""The chat API behind the console's chat page: real turns through the gate and the agent."""

from __future__ import annotations

from fastapi.testclient import TestClient

from copilot.channels import records
from copilot.channels.render import metric_table
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.channels.web.conftest import DAY, SignIn
from tests.tools.fixtures import make_ctx
from tools.runner import run_tool


def _ask(client: TestClient, message: str, thread: str | None = None,
         answers: str | None = None) -> dict:
    body = {"message": message, "today": DAY, **({"thread": thread} if thread else {}),
            **({"answers": answers} if answers else {})}
    r = client.post("/console/api/chat", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_question_is_answered_with_the_tools_own_figures(client: TestClient, sign_in: SignIn,
                                                            settings: Settings,
                                                            chain_store: MemberStore) -> None:
    sign_in("E03")
    first = _ask(client, "朝阳店今年复购率")
    assert first["kind"] == "answer" and first["thread"].startswith("web-")
    [call] = first["tool_calls"]
    assert call["name"] == "member_metrics" and call["ok"] and call["args"]["store"] == "S001"
    tool = run_tool(make_ctx(settings, chain_store, "E03", direct=True), "member_metrics",
                    call["args"])
    expected = metric_table(tool.result.as_json())
    assert first["tables"] == [{"title": expected.title, "header": expected.header,
                                "rows": expected.rows}]
    assert expected.rows[0][0] == "复购率" and "%" in expected.rows[0][1]
    assert "北京朝阳大悦城店" in first["text"] and first["pending"] is None

    follow = _ask(client, "那区域平均呢?", thread=first["thread"])  # the page keeps the thread
    assert follow["thread"] == first["thread"]
    assert follow["tool_calls"][0]["args"]["compare"] == ["region"]
    assert follow["tables"][0]["header"][2].startswith("华北区")
    turn = records.get_turn(StateStore.from_settings(settings), follow["turn_id"])
    assert turn is not None
    assert (turn["channel"], turn["staff_id"], bool(turn["direct"])) == ("web", "E03", True)
    assert turn["thread"] == first["thread"] and turn["question"] == "那区域平均呢?"


def test_scope_is_the_signed_in_persons_own(client: TestClient, sign_in: SignIn) -> None:
    sign_in("E01")  # staff of 朝阳店 asking about 西单店
    r = _ask(client, "西单店上个月复购率多少")
    assert not r["tool_calls"][0]["ok"] and "没有查看" in r["text"]
    assert r["tables"] == []


def test_a_chart_comes_back_as_a_console_link_not_a_server_path(client: TestClient,
                                                                sign_in: SignIn,
                                                                settings: Settings) -> None:
    sign_in("E05")
    r = _ask(client, "帮我诊断一下朝阳店")
    assert r["tool_calls"][0]["name"] == "diagnose_store" and r["tool_calls"][0]["ok"]
    [url] = r["charts"]
    assert url.startswith("/console/charts/diagnosis-S001-") and url.endswith(".png")
    assert str(settings.data_dir) not in r["text"] and "诊断图:见下图" in r["text"]
    png = client.get(url)
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_feedback_is_stored_on_the_persons_own_turn(client: TestClient, sign_in: SignIn,
                                                    settings: Settings) -> None:
    state = StateStore.from_settings(settings)
    sign_in("E03")
    turn_id = _ask(client, "朝阳店今年复购率")["turn_id"]
    assert records.get_turn(state, turn_id)["rating"] is None
    down = client.post("/console/api/feedback", json={"turn_id": turn_id, "rating": -1})
    assert down.status_code == 200 and down.json()["text"] == "收到评价,谢谢!"
    up = client.post("/console/api/feedback", json={"turn_id": turn_id, "rating": 1})
    assert up.status_code == 200  # pressing again replaces the rating
    stored = records.get_turn(state, turn_id)
    assert (stored["rating"], stored["rated_by"]) == (1, "E03")

    bad = client.post("/console/api/feedback", json={"turn_id": turn_id, "rating": 5})
    assert bad.status_code == 422 and "rating" in bad.json()["error"]
    sign_in("E01")  # someone else cannot rate E03's answer, even knowing its id
    other = client.post("/console/api/feedback", json={"turn_id": turn_id, "rating": -1})
    assert other.status_code == 404 and other.json()["error"] == "找不到要评价的这条回答。"
    assert records.get_turn(state, turn_id)["rating"] == 1


def test_a_deletion_waits_for_confirmation_in_the_same_thread(client: TestClient,
                                                              sign_in: SignIn,
                                                              settings: Settings,
                                                              chain_store: MemberStore) -> None:
    sign_in("E03")
    saved = _ask(client, "朝阳店 金卡 存成 金卡组")
    assert saved["tool_calls"][0]["name"] == "build_segment" and saved["tool_calls"][0]["ok"]
    thread = saved["thread"]
    asked = _ask(client, "删除分组 金卡组", thread=thread)
    assert asked["tool_calls"] == []
    wait = asked["pending"].pop("id")
    assert wait and asked["pending"] == {"description": "将删除分组“金卡组”(删除后无法恢复)。",
                                         "requested_by": "E03", "mine": True}
    mine = run_tool(make_ctx(settings, chain_store, "E03"), "list_segments", {})
    assert [s.name for s in mine.result.segments] == ["金卡组"]  # nothing deleted yet
    stale = _ask(client, "确认", thread=thread, answers="not-this-wait")  # an old button
    assert "已经结束或被新的请求取代" in stale["text"] and stale["tool_calls"] == []
    done = _ask(client, "确认", thread=thread, answers=wait)
    assert [c["name"] for c in done["tool_calls"]] == ["delete_segment"]
    assert done["tool_calls"][0]["ok"] and done["pending"] is None
    after = run_tool(make_ctx(settings, chain_store, "E03"), "list_segments", {})
    assert after.result.segments == []


def test_cancel_keeps_the_segment(client: TestClient, sign_in: SignIn, settings: Settings,
                                  chain_store: MemberStore) -> None:
    sign_in("E03")
    thread = _ask(client, "朝阳店 金卡 存成 金卡组")["thread"]
    assert _ask(client, "删除分组 金卡组", thread=thread)["pending"]["mine"]
    cancelled = _ask(client, "取消", thread=thread)
    assert cancelled["pending"] is None and "已取消" in cancelled["text"]
    kept = run_tool(make_ctx(settings, chain_store, "E03"), "list_segments", {})
    assert [s.name for s in kept.result.segments] == ["金卡组"]


def test_bad_messages_get_clear_chinese_errors(client: TestClient, sign_in: SignIn) -> None:
    sign_in("E03")
    empty = client.post("/console/api/chat", json={"message": "   "})
    assert empty.status_code == 422 and "message" in empty.json()["error"]
    long = client.post("/console/api/chat", json={"message": "复购率" * 1000})
    assert long.status_code == 422 and long.json()["error_en"]
    odd = client.post("/console/api/chat", json={"message": "你好", "thread": "../x y"})
    assert odd.status_code == 422 and "thread" in odd.json()["error"]
